/// The gradients of a normalisation's scale and shift, which ``BatchNorm`` and ``LayerNorm``
/// share: for per-sample errors G (`rows x columns`) and normalised inputs xhat,
///
///     dC/dgamma_j = (1/n) sum_s G_sj xhat_sj        dC/dbeta_j = (1/n) sum_s G_sj
func scaleAndShiftGradients(
    _ g: UnsafePointer<Float>, normalized xhat: UnsafePointer<Float>, rows n: Int, columns c: Int,
    scale dGamma: UnsafeMutablePointer<Float>, shift dBeta: UnsafeMutablePointer<Float>
) {
    dGamma.update(repeating: 0, count: c)
    dBeta.update(repeating: 0, count: c)
    for s in 0..<n {
        for j in 0..<c {
            dGamma[j] += g[s * c + j] * xhat[s * c + j]
            dBeta[j] += g[s * c + j]
        }
    }
    let mean = 1 / Float(n)
    for j in 0..<c {
        dGamma[j] *= mean
        dBeta[j] *= mean
    }
}
