import Foundation
import Testing

/// The module graph as Package.swift declares it, against what the sources import and what ARCHITECTURE.md says.
/// SwiftPM lets a target import any module that is built before it (a transitive dependency, or one another target
/// happened to pull in), so an undeclared edge compiles today and breaks when the graph changes; these tests make
/// every such edge a failure that names the file.
@Suite("Package graph")
struct PackageGraphTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Target name → its declared dependencies (target names, or product names such as ArgumentParser).
    static func declaredTargets(manifest path: String = "Package.swift") throws -> [String: Set<String>] {
        let manifest = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
        // `.target(name: "X", dependencies: [ ... ])`, `.executableTarget(`, `.testTarget(`; the list may span lines.
        let pattern = #/\.(?:target|executableTarget|testTarget)\(\s*name:\s*"(\w+)"(?:\s*,\s*dependencies:\s*\[([^\]]*)\])?/#
        var targets: [String: Set<String>] = [:]
        for match in manifest.matches(of: pattern) {
            let list = match.output.2.map(String.init) ?? ""
            // A product dependency names its module first: .product(name: "ArgumentParser", package: "...").
            let names = list.matches(of: #/(?:\.product\(\s*name:\s*)?"([\w-]+)"(?:\s*,\s*package:\s*"[\w-]+"\s*\))?/#)
                .map { String($0.output.1) }
            targets[String(match.output.1)] = Set(names)
        }
        return targets
    }

    /// Module name → the Swift files of that target that import it (DocC tutorial steps excluded: they are not
    /// compiled into the target).
    static func imports(ofTarget target: String) throws -> [String: [String]] {
        let folder = ["Sources", "Tests"].map { root.appendingPathComponent($0).appendingPathComponent(target) }
            .first { FileManager.default.fileExists(atPath: $0.path) }
        guard let folder, let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else {
            return [:]
        }
        var found: [String: [String]] = [:]
        for case let file as URL in walker where file.pathExtension == "swift" && !file.path.contains(".docc/") {
            let text = try String(contentsOf: file, encoding: .utf8)
            for line in text.split(whereSeparator: \.isNewline) {
                if let m = line.wholeMatch(of: #/\s*(?:@testable\s+|@_exported\s+)?import\s+(\w+)\s*/#) {
                    found[String(m.output.1), default: []].append(file.lastPathComponent)
                }
            }
        }
        return found
    }

    @Test("every import of a package module or package dependency is a declared dependency of the importing target")
    func importsAreDeclared() throws {
        let targets = try Self.declaredTargets()
        #expect(targets.count >= 20, "parsed only \(targets.count) targets from Package.swift")
        let ours = Set(targets.keys).union(["ArgumentParser"])
        for (target, declared) in targets.sorted(by: { $0.key < $1.key }) {
            for (module, files) in try Self.imports(ofTarget: target) where ours.contains(module) && module != target {
                #expect(declared.contains(module),
                        "\(target) imports \(module) (\(files.sorted().joined(separator: ", "))) but Package.swift does not declare it")
            }
        }
    }

    @Test("every declared dependency between package targets is imported somewhere in the target")
    func declaredDependenciesAreUsed() throws {
        let targets = try Self.declaredTargets()
        for (target, declared) in targets.sorted(by: { $0.key < $1.key }) {
            let used = Set(try Self.imports(ofTarget: target).keys)
            // A dependency on the executable builds it for tests that run it; nothing imports an executable.
            for dependency in declared.sorted() where targets[dependency] != nil && dependency != "AttentionCLI" {
                #expect(used.contains(dependency), "\(target) declares \(dependency) but no file of it imports it")
            }
        }
    }

    @Test("only the tensor core (and its own tests) import the C kernels")
    func onlyTensorCoreImportsTheKernels() throws {
        let targets = try Self.declaredTargets()
        for target in targets.keys.sorted() where !["AttentionTensorCore", "AttentionCKernelsTests"].contains(target) {
            let files = try Self.imports(ofTarget: target)["AttentionCKernels"] ?? []
            #expect(files.isEmpty, "\(target) imports AttentionCKernels in \(files.sorted().joined(separator: ", "))")
        }
    }

    /// ARCHITECTURE.md's module table (between `<!-- module-table -->` and `<!-- /module-table -->`, rows
    /// `` | `AttentionX` | `AttentionY`, `AttentionZ` | … | ``, "—" for none) lists each library and executable
    /// module's declared dependencies exactly.
    @Test("ARCHITECTURE.md's module table equals Package.swift")
    func architectureTableMatchesTheManifest() throws {
        let targets = try Self.declaredTargets()
        let doc = try String(contentsOf: Self.root.appendingPathComponent("ARCHITECTURE.md"), encoding: .utf8)
        let start = try #require(doc.range(of: "<!-- module-table -->"), "ARCHITECTURE.md has no <!-- module-table -->")
        let end = try #require(doc.range(of: "<!-- /module-table -->"), "ARCHITECTURE.md has no <!-- /module-table -->")
        var table: [String: Set<String>] = [:]
        for line in doc[start.upperBound..<end.lowerBound].split(whereSeparator: \.isNewline) {
            guard let m = line.wholeMatch(of: #/\|\s*`(\w+)`\s*\|\s*([^|]*)\|.*/#) else { continue }
            let deps = m.output.2.matches(of: #/`([\w-]+)`/#).map { String($0.output.1) }
            table[String(m.output.1)] = Set(deps)
        }
        let modules = targets.keys.filter { !$0.hasSuffix("Tests") }
        for module in modules.sorted() {
            #expect(table[module] == targets[module],
                    "ARCHITECTURE.md lists \(module) → \(table[module].map { $0.sorted() } ?? []), Package.swift declares \(targets[module]!.sorted())")
        }
        for module in table.keys.sorted() where targets[module] == nil {
            Issue.record("ARCHITECTURE.md lists \(module), which Package.swift does not declare")
        }
    }

    /// The fuzz package (Fuzz/) re-declares the library targets its harnesses need, over symlinks to our sources; a
    /// dependency added here and not there breaks only the fuzz build, which runs last in CI.
    @Test("the fuzz package declares each library target it mirrors with the same dependencies, over a symlink to its sources")
    func fuzzPackageMirrorsTheLibraryTargets() throws {
        let main = try Self.declaredTargets()
        let fuzz = try Self.declaredTargets(manifest: "Fuzz/Package.swift")
        let mirrored = fuzz.keys.filter { main[$0] != nil }.sorted()
        #expect(mirrored.count >= 5, "found only \(mirrored) in Fuzz/Package.swift")
        for target in mirrored {
            #expect(fuzz[target] == main[target],
                    "Fuzz/Package.swift gives \(target) the dependencies \(fuzz[target]!.sorted()), Package.swift \(main[target]!.sorted())")
            for dependency in main[target]!.sorted() where main[dependency] != nil {
                #expect(fuzz[dependency] != nil, "Fuzz/Package.swift lacks \(dependency), which \(target) depends on")
            }
            let link = Self.root.appendingPathComponent("Fuzz/Sources/\(target)").path
            let destination = try? FileManager.default.destinationOfSymbolicLink(atPath: link)
            #expect(destination == "../../Sources/\(target)", "Fuzz/Sources/\(target) should be a symlink to ../../Sources/\(target)")
        }
    }
}
