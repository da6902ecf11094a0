@testable import LinearAlgebra
import Testing

/// The pieces of the pure-Swift GEMM that the end-to-end comparisons cannot pin down alone.
@Suite struct SwiftBackendTests {
    @Test("thread bands cover C exactly once, in whole tiles, and are balanced",
          arguments: [(1, 1, 2), (128, 256, 2), (256, 784, 2), (13, 1000, 3), (1000, 13, 3), (9, 9, 4), (64, 2, 7)])
    func threadBands(_ shape: (Int, Int, Int)) {
        let (m, n, threads) = shape
        let split = ThreadSplit(m: m, n: n, k: 100, threads: threads)
        let bands = (0..<threads).map(split.band)
        let extent = split.alongRows ? m : n
        var next = 0
        for band in bands {
            #expect(band.lowerBound == next)
            // A band starts on a tile boundary; trailing empty ones sit at the end.
            #expect(band.lowerBound % split.tile == 0 || band.isEmpty && band.lowerBound == extent)
            next = band.upperBound
        }
        #expect(next == extent)
        let tiles = bands.map { ($0.count + split.tile - 1) / split.tile }
        #expect((tiles.max() ?? 0) - (tiles.min() ?? 0) <= 1)
    }

    @Test("MLP shapes split into equal bands over 2 threads (within one tile when the tile count is odd)")
    func balancedForMLPShapes() {
        for (m, n, k) in [(128, 256, 784), (128, 784, 256), (256, 128, 784), (256, 784, 128), (32, 256, 784)] {
            let split = ThreadSplit(m: m, n: n, k: k, threads: 2)
            let tiles = (split.extent + split.tile - 1) / split.tile
            // 784 columns are 49 tiles of NR = 16 (the AVX2 kernel): 25 and 24 tiles.
            let allowed = tiles % 2 == 0 ? 0 : split.tile
            #expect(abs(split.band(0).count - split.band(1).count) <= allowed, "\(m)x\(n)x\(k)")
        }
    }

    @Test("a product with few rows and a large op(B) is cut into bands of columns, so no thread packs all of op(B)")
    func fewRowsSplitByColumns() {
        // Bands of 16 rows would have each thread pack the whole 256 x 784 op(B).
        #expect(!ThreadSplit(m: 32, n: 784, k: 256, threads: 2).alongRows)
        // Many rows and few columns: bands of rows.
        #expect(ThreadSplit(m: 784, n: 32, k: 256, threads: 2).alongRows)
    }

    @Test("balanced steps: equal pieces, rounded up, never above the limit")
    func balancedSteps() {
        #expect(GEMMBlocking.balancedStep(784, limit: 384, multiple: 8) == 264)
        #expect(GEMMBlocking.balancedStep(384, limit: 384, multiple: 8) == 384)
        #expect(GEMMBlocking.balancedStep(385, limit: 384, multiple: 8) == 200)
        #expect(GEMMBlocking.balancedStep(5, limit: 384, multiple: 8) == 8)
        #expect(GEMMBlocking.balancedStep(1000, limit: 128, multiple: 8) == 128)
    }

    @Test("packing puts op(A) in MR-row micro-panels and op(B) in NR-column ones, zero-padded")
    func packingLayout() {
        let mr = GEMMMicroKernel.mr, nr = GEMMMicroKernel.nr
        let (rows, depth, columns) = (mr + 3, 11, nr + 5)
        // op(A)[i][p] = 100 i + p and op(B)[p][j] = 1000 p + j, stored both ways.
        let a = (0..<rows * depth).map { Float(100 * ($0 / depth) + $0 % depth) }
        let aT = (0..<depth * rows).map { Float(100 * ($0 % rows) + $0 / rows) }
        let b = (0..<depth * columns).map { Float(1000 * ($0 / columns) + $0 % columns) }
        let bT = (0..<columns * depth).map { Float(1000 * ($0 % depth) + $0 / depth) }
        for (trans, storage, ld) in [(Transpose.none, a, depth), (.transposed, aT, rows)] {
            var packed = [Float](repeating: .nan, count: 2 * mr * depth)
            storage.withUnsafeBufferPointer { s in
                packed.withUnsafeMutableBufferPointer { p in
                    GEMMPacking.packA(trans, a: s.baseAddress!, lda: ld, i0: 0, p0: 0, mc: rows, kc: depth, into: p.baseAddress!)
                }
            }
            for i in 0..<2 * mr {
                for p in 0..<depth {
                    let expected: Float = i < rows ? Float(100 * i + p) : 0
                    #expect(packed[(i / mr) * mr * depth + p * mr + i % mr] == expected, "A \(trans) (\(i), \(p))")
                }
            }
        }
        for (trans, storage, ld) in [(Transpose.none, b, columns), (.transposed, bT, depth)] {
            var packed = [Float](repeating: .nan, count: 2 * nr * depth)
            storage.withUnsafeBufferPointer { s in
                packed.withUnsafeMutableBufferPointer { p in
                    GEMMPacking.packB(trans, b: s.baseAddress!, ldb: ld, p0: 0, j0: 0, kc: depth, nc: columns, into: p.baseAddress!)
                }
            }
            for j in 0..<2 * nr {
                for p in 0..<depth {
                    let expected: Float = j < columns ? Float(1000 * p + j) : 0
                    #expect(packed[(j / nr) * nr * depth + p * nr + j % nr] == expected, "B \(trans) (\(p), \(j))")
                }
            }
        }
    }

    @Test("a workspace sized for a product fits it and every smaller one")
    func workspaceFits() {
        let workspace = GEMMWorkspace(m: 300, n: 5000, k: 1000)
        #expect(workspace.fits(m: 300, n: 5000, k: 1000))
        #expect(workspace.fits(m: 1, n: 1, k: 1))
        #expect(workspace.fits(m: 10_000, n: 10_000, k: 10_000))  // beyond the block sizes it stops growing
        #expect(!GEMMWorkspace(m: 8, n: 8, k: 8).fits(m: 9, n: 8, k: 8))
        #expect(Int(bitPattern: workspace.packedB) % 64 == 0)
    }

    @Test("a part's workspace is kept between products and grows to fit every shape it has seen")
    func partWorkspaces() {
        // The last slot: no test runs products on that many threads.
        let part = GEMMPartWorkspaces.slotCount - 1
        let first = GEMMPartWorkspaces.withWorkspace(part: part, m: 50, n: 60, k: 70) { $0 }
        #expect(first.fits(m: 50, n: 60, k: 70))
        let same = GEMMPartWorkspaces.withWorkspace(part: part, m: 40, n: 60, k: 20) { $0 }
        #expect(same === first)
        let grown = GEMMPartWorkspaces.withWorkspace(part: part, m: 20, n: 90, k: 70) { $0 }
        #expect(grown !== first)
        #expect(grown.fits(m: 50, n: 90, k: 70))
        #expect(GEMMPartWorkspaces.withWorkspace(part: part, m: 50, n: 60, k: 70) { $0 } === grown)
    }

    @Test("the workspace pool hands out fitting workspaces, never one in use")
    func workspacePool() {
        GEMMWorkspacePool.withWorkspace(m: 50, n: 60, k: 70) { outer in
            #expect(outer.fits(m: 50, n: 60, k: 70))
            GEMMWorkspacePool.withWorkspace(m: 50, n: 60, k: 70) { inner in
                #expect(inner !== outer)
                #expect(inner.fits(m: 50, n: 60, k: 70))
            }
        }
    }
}
