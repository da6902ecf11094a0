// The network's public API speaks in the types of the two modules below it (`Matrix` and the
// backends; `Dataset`, `SafeTensors`, `FileError`), so `import NeuralNetwork` brings them along:
// an app that trains needs one import. An app that only reads or writes the files depends on
// the `MLPData` product alone and links no GEMM.
@_exported import LinearAlgebra
@_exported import MLPData
