import Foundation
@testable import LinearAlgebra
import Testing

/// ``AutoBackend`` and its ``CrossoverTable``: every choice computes the reference product, and
/// the choice is the nearest measured shape's winner.
@Suite struct AutoBackendTests {
    /// A table whose every entry makes `winner` win, over a spread of shapes and both transposes.
    static func table(winner: BackendKind, threads: [Int] = [1, 2]) -> CrossoverTable {
        var entries: [CrossoverTable.Entry] = []
        for t in threads {
            for size in [4, 64, 1024] {
                for (ta, tb) in [(Transpose.none, Transpose.none), (.none, .transposed), (.transposed, .none), (.transposed, .transposed)] {
                    entries.append(.init(threads: t, transA: ta, transB: tb, m: size, n: size, k: size,
                                         swiftSeconds: winner == .swift ? 1 : 2, openblasSeconds: winner == .swift ? 2 : 1))
                }
            }
        }
        return CrossoverTable(source: "test", entries: entries)
    }

    @Test("agrees with the reference whichever backend the table picks",
          arguments: [BackendKind.swift, .openblas], [1, 2])
    func agreesWithReference(winner: BackendKind, threads: Int) {
        let backends: [any GEMMBackend] = [
            AutoBackend(threads: threads, table: Self.table(winner: winner)),
            AutoBackend(threads: threads, table: .builtIn()),
        ]
        for (ta, tb) in [(Transpose.none, Transpose.none), (.none, .transposed), (.transposed, .none), (.transposed, .transposed)] {
            for (m, n, k) in [(1, 1, 1), (17, 257, 3), (63, 65, 67), (128, 10, 128), (32, 784, 256)] {
                for (alpha, beta) in [(Float(1), Float(0)), (-0.5, 2)] {
                    let problem = GEMMProblem(ta, tb, m: m, n: n, k: k, alpha: alpha, beta: beta)
                    let expected = problem.run(ReferenceBackend())
                    for backend in backends {
                        problem.expectAgreement(problem.run(backend), expected, tolerance: problem.tolerance(),
                                                backend: "auto(\(winner), \(threads) threads)")
                    }
                }
            }
        }
    }

    @Test("the nearest entry of the same transposes and thread count decides")
    func nearestEntry() {
        let table = CrossoverTable(source: "test", entries: [
            .init(threads: 1, transA: .none, transB: .transposed, m: 32, n: 10, k: 128, swiftSeconds: 2, openblasSeconds: 1),
            .init(threads: 1, transA: .none, transB: .transposed, m: 128, n: 256, k: 784, swiftSeconds: 1, openblasSeconds: 2),
            .init(threads: 1, transA: .transposed, transB: .none, m: 128, n: 256, k: 784, swiftSeconds: 2, openblasSeconds: 1),
            .init(threads: 4, transA: .none, transB: .transposed, m: 128, n: 256, k: 784, swiftSeconds: 2, openblasSeconds: 1),
        ])
        #expect(table.choice(transA: .none, transB: .transposed, m: 30, n: 12, k: 100, threads: 1) == .openblas)
        #expect(table.choice(transA: .none, transB: .transposed, m: 120, n: 300, k: 700, threads: 1) == .swift)
        #expect(table.choice(transA: .transposed, transB: .none, m: 30, n: 12, k: 100, threads: 1) == .openblas)
        // No NN entries: the nearest of any transposes.
        #expect(table.choice(transA: .none, transB: .none, m: 128, n: 256, k: 784, threads: 1) == .swift)
        // Thread count 3 is nearest 4 (ties go to the smaller count; 2 is nearest 1).
        #expect(table.choice(transA: .none, transB: .transposed, m: 128, n: 256, k: 784, threads: 3) == .openblas)
        #expect(table.choice(transA: .none, transB: .transposed, m: 128, n: 256, k: 784, threads: 2) == .swift)
        #expect(CrossoverTable(source: "empty", entries: []).choice(transA: .none, transB: .none, m: 9, n: 9, k: 9, threads: 1) == .swift)
    }

    @Test("OpenBLAS must win by the margin to be chosen", arguments: [1, 2, 4])
    func margin(threads: Int) {
        let margin = CrossoverTable.openBLASMargin
        let close = CrossoverTable.Entry(threads: threads, transA: .none, transB: .none, m: 8, n: 8, k: 8,
                                         swiftSeconds: 1, openblasSeconds: 1 - margin / 2)
        let clear = CrossoverTable.Entry(threads: threads, transA: .none, transB: .none, m: 8, n: 8, k: 8,
                                         swiftSeconds: 1, openblasSeconds: 1 - 1.5 * margin)
        #expect(close.winner == .swift)
        #expect(clear.winner == .openblas)
        #expect(margin > 0 && margin < 0.5)
    }

    @Test("a table survives JSON; load reads $SWIFTMLP_CROSSOVER only when it fits this build, else the built-in table")
    func files() throws {
        var table = Self.table(winner: .openblas)
        table.kernel = .compiled
        table.cpu = CrossoverTable.currentCPU
        #expect(try CrossoverTable(json: table.json()) == table)
        #expect(table.fitsThisBuild)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crossover-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func written(_ name: String, _ data: Data) throws -> String {
            let url = folder.appendingPathComponent(name)
            try data.write(to: url)
            return url.path
        }
        let good = try written("good.json", table.json())
        let broken = try written("broken.json", Data("{ not json".utf8))
        var otherKernel = table
        otherKernel.kernel = GEMMKernelKind.allCases.first { $0 != .compiled }
        var otherCPU = table
        otherCPU.cpu = "another CPU"
        var untagged = table
        (untagged.kernel, untagged.cpu) = (nil, nil)
        #expect(CrossoverTable.load(environment: ["SWIFTMLP_CROSSOVER": good]) == table)
        for path in [broken, try written("kernel.json", otherKernel.json()), try written("cpu.json", otherCPU.json()),
                     try written("untagged.json", untagged.json()), folder.appendingPathComponent("none").path] {
            #expect(CrossoverTable.load(environment: ["SWIFTMLP_CROSSOVER": path]) == .builtIn(), "\(path)")
        }
        #expect(CrossoverTable.path(environment: ["XDG_CONFIG_HOME": "/x"]) == "/x/swiftmlp/crossover.json")
        #expect(CrossoverTable.path(environment: ["HOME": "/h"]) == "/h/.config/swiftmlp/crossover.json")
        #expect(CrossoverTable.path(environment: [:]) == nil)
    }

    @Test("AutoBackend's default table is the compiled kernel's built-in one, whatever files exist (none is read)")
    func defaultTable() throws {
        #expect(AutoBackend(threads: 1).table == .builtIn())
        #expect(CrossoverTable.builtIn().kernel == .compiled)
        let made = try BackendKind.auto.make(threads: 1)
        #expect((made as? AutoBackend)?.table == (BackendKind.isOpenBLASCompiled ? .builtIn() : nil))
    }

    @Test("each kernel kind has its built-in table, tagged with the kind, covering 1 and 2 threads and the standard network's shapes",
          arguments: GEMMKernelKind.allCases)
    func builtIn(kind: GEMMKernelKind) {
        let table = CrossoverTable.builtIn(for: kind)
        #expect(table.kernel == kind)
        #expect(Set(table.entries.map(\.threads)).isSuperset(of: [1, 2]))
        #expect(table.entries.contains { $0.m == 128 && $0.n == 256 && $0.k == 784 && $0.transB == "T" })
    }

    @Test("auto is what BackendKind.auto makes, with its thread count")
    func kind() throws {
        let backend = try BackendKind.auto.make(threads: 2)
        #expect(backend.threads == 2)
        #expect(backend.name == (BackendKind.isOpenBLASCompiled ? "auto" : "swift"))
    }
}
