import LinearAlgebra
import Testing

@Suite struct BackendKindTests {
    @Test("names parse from the environment; unset or empty means auto")
    func environment() throws {
        #expect(try BackendKind.fromEnvironment([:]) == .auto)
        #expect(try BackendKind.fromEnvironment(["SWIFTMLP_BACKEND": ""]) == .auto)
        for kind in BackendKind.allCases {
            #expect(try BackendKind.fromEnvironment(["SWIFTMLP_BACKEND": kind.rawValue]) == kind)
        }
        #expect(throws: BackendError.unknown("blas", source: "SWIFTMLP_BACKEND")) {
            try BackendKind.fromEnvironment(["SWIFTMLP_BACKEND": "blas"])
        }
    }

    @Test("errors say what was wrong and what is accepted")
    func errorMessages() {
        let unknown = BackendError.unknown("blas", source: "--backend").description
        #expect(unknown.contains("'blas'") && unknown.contains("--backend") && unknown.contains("reference, swift, openblas, auto"))
        #expect(BackendError.invalidThreads(0).description.contains("0"))
        #expect(BackendError.notCompiled(.openblas).description.contains("OpenBLAS trait"))
    }

    @Test("make builds the named backend with its thread count, or throws")
    func make() throws {
        #expect(try BackendKind.reference.make().name == "reference")
        let swift = try BackendKind.swift.make(threads: 3)
        #expect(swift.name == "swift" && swift.threads == 3)
        #expect(throws: BackendError.invalidThreads(0)) { try BackendKind.swift.make(threads: 0) }
        if BackendKind.isOpenBLASCompiled {
            #expect(try BackendKind.openblas.make(threads: 2).name == "openblas")
            #expect(try BackendKind.auto.make().name == "auto")
        } else {
            #expect(throws: BackendError.notCompiled(.openblas)) { try BackendKind.openblas.make() }
            #expect(try BackendKind.auto.make().name == "swift")
        }
    }

    @Test("compiled and fast lists follow the build")
    func lists() {
        #expect(BackendKind.compiled.first == .reference)
        #expect(!BackendKind.compiled.contains(.auto))
        #expect(BackendKind.fast.contains(.swift) && !BackendKind.fast.contains(.reference))
        #expect(BackendKind.compiled.contains(.openblas) == BackendKind.isOpenBLASCompiled)
        #expect(BackendKind.openblas.isAvailable == BackendKind.isOpenBLASCompiled)
        #expect(BackendKind.swift.description == "swift")
    }
}
