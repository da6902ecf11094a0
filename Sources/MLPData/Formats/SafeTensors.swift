/// Named tensors with string metadata, as the safetensors format stores them.
///
/// The file format (https://github.com/huggingface/safetensors):
///
///     bytes 0..<8      N, the header length, an unsigned 64-bit little-endian integer
///     bytes 8..<8+N    the header: UTF-8 JSON, possibly padded with trailing spaces
///     bytes 8+N..<end  the data buffer: every tensor's elements, little-endian, row-major
///
/// The header is one object. Each member but `__metadata__` describes a tensor:
/// `{"dtype": "F32", "shape": [3, 4], "data_offsets": [begin, end]}` with offsets relative to
/// the start of the data buffer; `__metadata__`, when present, maps strings to strings.
///
/// Values are held as `Float` whatever the file's dtype: reading converts F16, BF16 and F64
/// (see `DType`), writing produces F32. `tensors` is a dictionary; `names` gives the sorted
/// order that the writer uses for both the header and the data buffer.
public struct SafeTensors: Sendable, Equatable {
    /// One tensor: a row-major array of `Float` with its shape.
    public struct Tensor: Sendable, Equatable {
        /// Dimensions, outermost first; `[]` is a scalar (one element).
        public var shape: [Int]
        /// The elements, row-major (last index fastest); `shape`'s product of them.
        public var values: [Float]

        /// A tensor of `shape` holding `values`.
        ///
        /// - Precondition: every dimension is non-negative and their product is `values.count`.
        public init(shape: [Int], values: [Float]) {
            precondition(shape.allSatisfy { $0 >= 0 }, "SafeTensors.Tensor: negative dimension in \(shape)")
            let count = shape.reduce(1) { product, dimension in
                let (next, overflow) = product.multipliedReportingOverflow(by: dimension)
                precondition(!overflow, "SafeTensors.Tensor: shape \(shape) overflows Int")
                return next
            }
            precondition(count == values.count, "SafeTensors.Tensor: shape \(shape) needs \(count) values, got \(values.count)")
            self.shape = shape
            self.values = values
        }
    }

    /// An element type of the format, with its size in bytes. These four are the ones read;
    /// the format knows others (BOOL, U8, I8, ..., F8_E4M3), which reading rejects by name.
    public enum DType: String, Sendable, CaseIterable {
        /// IEEE 754 binary16: 1 sign, 5 exponent (bias 15), 10 fraction bits; converted exactly.
        case float16 = "F16"
        /// bfloat16: the upper half of a binary32; converted exactly.
        case bfloat16 = "BF16"
        /// IEEE 754 binary32, stored as is.
        case float32 = "F32"
        /// IEEE 754 binary64, rounded to the nearest Float (magnitudes beyond Float's range
        /// become infinities).
        case float64 = "F64"
        /// Two's-complement 64-bit integers (PyTorch's `num_batches_tracked`), rounded to the
        /// nearest Float (exact below 2^24).
        case int64 = "I64"

        /// Bytes per element.
        public var byteCount: Int {
            switch self {
            case .float16, .bfloat16: 2
            case .float32: 4
            case .float64, .int64: 8
            }
        }
    }

    /// The largest header this reader accepts, in bytes (100 MB, the reference reader's limit).
    public static let maximumHeaderLength = 100_000_000

    /// The reserved header key that holds the metadata.
    public static let metadataKey = "__metadata__"

    /// The tensors by name.
    public var tensors: [String: Tensor]
    /// Free-form string pairs (`__metadata__` in the header).
    public var metadata: [String: String]

    /// A collection of `tensors` with `metadata`.
    public init(tensors: [String: Tensor] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// The tensor names in ascending order (by Unicode scalar values, as JSON writers sort keys).
    public var names: [String] {
        tensors.keys.sorted(by: Self.scalarOrder)
    }

    /// The tensor called `name`, if any.
    public subscript(name: String) -> Tensor? {
        get { tensors[name] }
        set { tensors[name] = newValue }
    }

    /// Code-point order, the order Python's `sorted` and `json.dumps(sort_keys=True)` use.
    static func scalarOrder(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
    }
}
