import Testing
@Test func placeholderNeuralNetworkTests() { #expect(Bool(true)) }
