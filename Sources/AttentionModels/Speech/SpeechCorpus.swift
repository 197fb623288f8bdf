import Foundation
import AttentionAudio

/// One utterance of the spoken-digit set: its WAV file, the words said and each word's time span.
public struct SpokenUtterance: Sendable, Equatable {
    /// The split it belongs to (`train`, `test-clean`, `test-10db`).
    public let split: String
    /// The WAV file, relative to the data directory.
    public let file: String
    /// Word ids 0…9, in order.
    public let words: [Int]
    /// Where each word is heard, in seconds from the start of the file.
    public let spans: [ClosedRange<Double>]
}

/// The spoken-digit data set that `Scripts/make_speech_data.py` writes: `manifest.tsv` (split, file, words, spans)
/// and the WAV files beside it. Reading it decodes every WAV of the chosen splits and computes its log-mel features.
///
/// ```swift
/// let corpus = try SpeechCorpus(directory: SpeechCorpus.defaultDirectory)
/// let test = corpus.utterances(in: "test-clean")
/// ```
public struct SpeechCorpus: Sendable {
    /// Where `Scripts/make_speech_data.py` writes the corpus: `~/.cache/attention/speech`.
    public static let defaultDirectory = FileManager.default.homeDirectoryForCurrentUser
        .appendingPathComponent(".cache/attention/speech").path
    /// The splits a corpus folder holds.
    public static let splits = ["train", "test-clean", "test-10db"]

    /// The corpus folder.
    public let directory: String
    /// Every utterance of every split.
    public let utterances: [SpokenUtterance]

    /// Reads `manifest.tsv` in `directory` (no audio yet). A missing file, a row without four fields, an unknown
    /// word, a malformed span or a count of spans that differs from the count of words is a ``SpeechError/data(_:)``
    /// naming the file and line.
    public init(directory: String) throws(SpeechError) {
        let path = URL(fileURLWithPath: directory).appendingPathComponent("manifest.tsv").path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw .data("\(path): no speech data manifest (make one with python3 Scripts/make_speech_data.py --out \(directory))")
        }
        var rows: [SpokenUtterance] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where i > 0 && !line.isEmpty {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 4 else { throw .data("\(path):\(i + 1): expected 4 tab-separated fields (split, file, words, spans), found \(f.count)") }
            var words: [Int] = []
            for w in f[2].split(separator: " ") {
                guard let id = SpeechRecognizer.words.firstIndex(of: String(w)) else {
                    throw .data("\(path):\(i + 1): unknown word \"\(w)\" (expected zero…nine)")
                }
                words.append(id)
            }
            var spans: [ClosedRange<Double>] = []
            for s in f[3].split(separator: ",") {
                let ends = s.split(separator: "-").compactMap { Double($0) }
                guard ends.count == 2, ends[0].isFinite, ends[1].isFinite, ends[0] >= 0, ends[0] <= ends[1] else {
                    throw .data("\(path):\(i + 1): a span \"\(s)\", expected start-end in seconds")
                }
                spans.append(ends[0]...ends[1])
            }
            guard !words.isEmpty, spans.count == words.count else {
                throw .data("\(path):\(i + 1): \(words.count) words and \(spans.count) spans, expected as many spans as words (at least one)")
            }
            rows.append(SpokenUtterance(split: f[0], file: f[1], words: words, spans: spans))
        }
        guard !rows.isEmpty else { throw .data("\(path): the manifest lists no utterances") }
        self.directory = directory
        utterances = rows
    }

    /// The utterances of `split` (one of `splits`), in file order.
    public func utterances(in split: String) -> [SpokenUtterance] { utterances.filter { $0.split == split } }

    /// The normalised features of each utterance [T][M] (decoding and resampling its WAV), computed on `threads` threads.
    public func features(_ list: [SpokenUtterance], model: SpeechRecognizer, threads: Int = 2) throws(SpeechError) -> [[[Double]]] {
        let out = FeatureSlots(list.count), logMel = model.logMel, directory = directory
        DispatchQueue.concurrentPerform(iterations: max(1, threads)) { worker in
            for i in stride(from: worker, to: list.count, by: max(1, threads)) {
                let path = URL(fileURLWithPath: directory).appendingPathComponent(list[i].file).path
                do {
                    let wav = try WAVFile(contentsOf: path)
                    out.set(i, .success(SpeechRecognizer.normalised(logMel.features(of: wav))))
                } catch { out.set(i, .failure(.data("\(error)"))) }
            }
        }
        var features: [[[Double]]] = []
        features.reserveCapacity(list.count)
        for r in out.values() {
            switch r {
            case .success(let f): features.append(f)
            case .failure(let e): throw e
            case nil: throw .data("\(directory): an utterance was not read")
            }
        }
        return features
    }
}

/// Results written by worker threads, each to its own index.
final class FeatureSlots: @unchecked Sendable {
    private var slots: [Result<[[Double]], SpeechError>?]
    private let lock = NSLock()
    init(_ n: Int) { slots = Array(repeating: nil, count: n) }
    func set(_ i: Int, _ r: Result<[[Double]], SpeechError>) { lock.lock(); slots[i] = r; lock.unlock() }
    func values() -> [Result<[[Double]], SpeechError>?] { lock.lock(); defer { lock.unlock() }; return slots }
}

/// Word error rate: the word-level Levenshtein distance (substitutions + insertions + deletions) summed over the
/// utterances, over the number of reference words.
public enum WordErrorRate {
    /// The edit distance between two word sequences (unit costs).
    public static func distance<T: Equatable>(_ hypothesis: [T], _ reference: [T]) -> Int {
        var row = Array(0...reference.count)
        for (i, h) in hypothesis.enumerated() {
            var previous = row[0]
            row[0] = i + 1
            for (j, r) in reference.enumerated() {
                let substitute = previous + (h == r ? 0 : 1)
                previous = row[j + 1]
                row[j + 1] = min(substitute, row[j] + 1, row[j + 1] + 1)
            }
        }
        return row[reference.count]
    }

    /// Σ distance / Σ reference words (0 when there are no reference words).
    public static func rate<T: Equatable>(hypotheses: [[T]], references: [[T]]) -> Double {
        precondition(hypotheses.count == references.count, "WordErrorRate: \(hypotheses.count) hypotheses for \(references.count) references")
        let words = references.reduce(0) { $0 + $1.count }
        guard words > 0 else { return 0 }
        return Double(zip(hypotheses, references).reduce(0) { $0 + distance($1.0, $1.1) }) / Double(words)
    }
}
