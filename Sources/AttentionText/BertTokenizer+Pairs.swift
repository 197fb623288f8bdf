import AttentionSupport
/// One text or a sentence pair encoded for a BERT model, with the token types (segment ids) and what truncation cut.
///
/// ```swift
/// let e = tokenizer.encode(pair: "Where is it?", "Under the log.", maxLength: 512)
/// e.inputIDs      // [CLS] where is it ? [SEP] under the log . [SEP]
/// e.tokenTypeIDs  // [0,    0,    0, 0, 0, 0,    1,    1,  1,  1, 1]
/// ```
public struct PairEncoding: Sendable, Equatable {
    /// `[CLS]` first text `[SEP]` second text `[SEP]`, as ids.
    public var inputIDs: [Int]
    /// 0 for `[CLS]`, the first text and its `[SEP]`; 1 for the second text and the final `[SEP]`.
    public var tokenTypeIDs: [Int]
    /// Content tokens of each text before truncation (the second is 0 for a single text).
    public var untruncatedCounts: (first: Int, second: Int)
    /// Content tokens of each text kept.
    public var keptCounts: (first: Int, second: Int)

    /// True when truncation removed tokens.
    public var wasTruncated: Bool { keptCounts != untruncatedCounts }
    /// The length the encoding would have had without truncation (special tokens included).
    public var untruncatedLength: Int { inputIDs.count + (untruncatedCounts.first - keptCounts.first) + (untruncatedCounts.second - keptCounts.second) }

    /// Equal ids, token types and counts (tuples are not `Equatable`, so this is written out).
    public static func == (a: PairEncoding, b: PairEncoding) -> Bool {
        a.inputIDs == b.inputIDs && a.tokenTypeIDs == b.tokenTypeIDs && a.untruncatedCounts == b.untruncatedCounts
            && a.keptCounts == b.keptCounts
    }
}

extension BertTokenizer {
    /// `[CLS] first [SEP]` (token types 0), or with `second`: `[CLS] first [SEP] second [SEP]` (the second segment and
    /// its `[SEP]` of type 1), at most `maxLength` ids (nil: ``maxLength``) — Hugging Face's `tokenizer(a, b,
    /// truncation=True, max_length=n)`.
    ///
    /// Truncation of a pair is Hugging Face's `longest_first` as the tokenizers library computes it: with `budget` =
    /// `maxLength` minus the special tokens, and `short ≤ long` the two content lengths, the shorter keeps
    /// `min(short, budget / 2)` only when both do not fit, i.e. the longer text is cut first; when both must be cut
    /// each keeps `budget / 2`, the longer one the odd token. Each text keeps its first tokens.
    /// A limit below the special tokens' count is a programming error (it stops with a message, as `encode` does).
    public func encode(pair first: String, _ second: String? = nil, maxLength: Int? = nil) -> PairEncoding {
        let limit = maxLength ?? self.maxLength
        let specials = second == nil ? 2 : 3
        precondition(limit >= specials, "BertTokenizer.encode(pair:): maxLength \(limit) leaves no room for the \(specials) special tokens")
        var a = ids(Array(first.unicodeScalars))
        var b = second.map { ids(Array($0.unicodeScalars)) } ?? []
        let untruncated = (a.count, b.count)
        let budget = limit - specials
        if a.count + b.count > budget {
            let (keepA, keepB) = second == nil ? (budget, 0) : Self.longestFirst(a.count, b.count, budget: budget)
            a.removeLast(a.count - keepA)
            b.removeLast(b.count - keepB)
        }
        var inputIDs = [classifierID] + a + [separatorID]
        var types = [Int](repeating: 0, count: inputIDs.count)
        if second != nil {
            inputIDs += b + [separatorID]
            types += [Int](repeating: 1, count: b.count + 1)
        }
        return PairEncoding(inputIDs: inputIDs, tokenTypeIDs: types, untruncatedCounts: untruncated, keptCounts: (a.count, b.count))
    }

    /// How many content tokens each text of a pair keeps under `budget` (the sum of the two is at most `budget`).
    public static func longestFirst(_ first: Int, _ second: Int, budget: Int) -> (Int, Int) {
        guard first + second > budget else { return (first, second) }
        let swapped = first > second
        var short = swapped ? second : first, long = swapped ? first : second
        long = short > budget ? short : max(short, budget - short)
        if short + long > budget {
            short = budget / 2
            long = short + budget % 2
        }
        return swapped ? (long, short) : (short, long)
    }
}
