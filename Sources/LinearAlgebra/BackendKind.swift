/// The GEMM backends by the names the command line, the benchmark and the environment use.
///
/// `SWIFTMLP_BACKEND=openblas|swift|reference|auto` in the environment picks the default;
/// an explicit choice (API or `--backend`) wins over it.
public enum BackendKind: String, Sendable, CaseIterable, CustomStringConvertible {
    /// ``ReferenceBackend``: Double-accumulating triple loop, for checking.
    case reference
    /// ``SwiftBackend``: pure Swift, always compiled.
    case swift
    /// `OpenBLASBackend`: cblas_sgemm, present only with the `OpenBLAS` trait.
    case openblas
    /// ``AutoBackend``: per product the faster of the compiled fast backends, from a
    /// ``CrossoverTable`` (plain ``SwiftBackend`` without the `OpenBLAS` trait).
    case auto

    public var description: String { rawValue }

    /// Whether this backend is compiled into this build.
    public var isAvailable: Bool {
        switch self {
        case .reference, .swift, .auto: true
        case .openblas: Self.isOpenBLASCompiled
        }
    }

    /// Whether the package was built with the `OpenBLAS` trait.
    public static var isOpenBLASCompiled: Bool {
        #if OpenBLAS
        true
        #else
        false
        #endif
    }

    /// The backends compiled into this build that compute for real (not `auto`).
    public static var compiled: [BackendKind] {
        [.reference, .swift, .openblas].filter(\.isAvailable)
    }

    /// The fast backends compiled into this build (Swift, and OpenBLAS when present).
    public static var fast: [BackendKind] { [.swift, .openblas].filter(\.isAvailable) }

    /// The backend named by `SWIFTMLP_BACKEND`, or `auto` when it is unset.
    ///
    /// - Throws: ``BackendError`` when the variable names an unknown or uncompiled backend.
    public static func fromEnvironment(_ environment: [String: String]) throws(BackendError) -> BackendKind {
        guard let value = environment["SWIFTMLP_BACKEND"], !value.isEmpty else { return .auto }
        guard let kind = BackendKind(rawValue: value) else {
            throw .unknown(value, source: "SWIFTMLP_BACKEND")
        }
        return kind
    }

    /// A backend of this kind using `threads` threads per product; `auto` chooses from
    /// `crossover` (by default the compiled kernel's built-in table, ``CrossoverTable/builtIn(for:)``).
    ///
    /// - Throws: ``BackendError/notCompiled(_:)`` for `openblas` in a build without the trait.
    public func make(threads: Int = 1, crossover: CrossoverTable? = nil) throws(BackendError) -> any GEMMBackend {
        guard threads >= 1 else { throw .invalidThreads(threads) }
        switch self {
        case .reference: return ReferenceBackend()
        case .swift: return SwiftBackend(threads: threads)
        case .openblas:
            #if OpenBLAS
            return OpenBLASBackend(threads: threads)
            #else
            throw .notCompiled(self)
            #endif
        case .auto:
            #if OpenBLAS
            return AutoBackend(threads: threads, table: crossover ?? .builtIn())
            #else
            return SwiftBackend(threads: threads)
            #endif
        }
    }
}

/// A backend that cannot be had in this build or under this name.
public enum BackendError: Error, Equatable, CustomStringConvertible {
    /// No backend has this name; `source` says where the name came from.
    case unknown(String, source: String)
    /// The backend exists but this build left it out.
    case notCompiled(BackendKind)
    /// A thread count below 1.
    case invalidThreads(Int)

    public var description: String {
        switch self {
        case .unknown(let name, let source):
            "unknown backend '\(name)' in \(source); expected one of: "
                + BackendKind.allCases.map(\.rawValue).joined(separator: ", ")
        case .notCompiled(let kind):
            "backend '\(kind)' is not compiled into this build (built without the OpenBLAS trait)"
        case .invalidThreads(let n):
            "thread count must be at least 1, got \(n)"
        }
    }
}
