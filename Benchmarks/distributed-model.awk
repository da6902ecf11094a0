# Fits the ring-allreduce model of docs/DISTRIBUTED.md to the JSON lines that
# Benchmarks/distributed-hosts.sh writes, then extrapolates to 8-64 hosts.
#
#   awk -v parameters=235146 -f Benchmarks/distributed-model.awk out/hosts.json
#
# Model, per step, with N hosts, link rate R (bytes/s), P parameters and K allreduces (buckets):
#   t_allreduce(N, R, K) = x_bandwidth * 2 (N - 1)/N * 4P / R  +  K * alpha * 2 (N - 1)
#   t_step(N)            = t_compute / N + t_allreduce(N, R, K)      (nothing hidden by overlap)
# x_bandwidth (1 = the link's full rate; above 1, TCP and MPI reach less of it) and alpha (the
# latency of one of the ring's 2 (N - 1) messages per allreduce) are fitted by least squares to
# the lone allreduces (one allreduce of the whole gradient, K = 1) of every N > 1 row; t_compute
# is the one-host step time at each batch size. Rows with a link rate but no delay added (tbf,
# no netem) measure the switch's and the kernel's own latency.

function rate_bytes(rate,   n) {
    n = rate + 0
    if (rate ~ /gbit$/) return n * 1e9 / 8
    if (rate ~ /mbit$/) return n * 1e6 / 8
    if (rate ~ /kbit$/) return n * 1e3 / 8
    return n / 8
}
function field(line, key,   rest) {
    if (!match(line, "\"" key "\":")) return ""
    rest = substr(line, RSTART + RLENGTH)
    gsub(/^"/, "", rest)
    sub(/[",}].*$/, "", rest)
    return rest
}
function comm(n, rate, buckets) {
    if (n == 1) return 0
    return x * 2 * (n - 1) / n * 4 * parameters / rate_bytes(rate) + buckets * alpha * 2 * (n - 1)
}
{
    n = field($0, "hosts") + 0; rate = field($0, "rate"); batch = field($0, "batch") + 0
    step = field($0, "stepMilliseconds") / 1000; lone = field($0, "loneAllreduceMilliseconds") / 1000
    if (n == 1) { compute[batch] = step; next }
    rows++
    rowN[rows] = n; rowRate[rows] = rate; rowBatch[rows] = batch; rowStep[rows] = step
    rowBucket[rows] = field($0, "bucket"); rowK[rows] = field($0, "allreduces") + 0
    if (lone <= 0) next
    a = 2 * (n - 1) / n * 4 * parameters / rate_bytes(rate)    # bandwidth term at full rate
    b = 2 * (n - 1)                                           # message count
    saa += a * a; sab += a * b; sbb += b * b; say += a * lone; sby += b * lone; points++
    rates[rate] = 1
}
END {
    if (points < 2) { print "fit: fewer than two multi-host rows"; exit 1 }
    det = saa * sbb - sab * sab
    x = (say * sbb - sby * sab) / det
    alpha = (saa * sby - sab * say) / det
    printf "fit over %d rows: x_bandwidth = %.3f (TCP and MPI reach %.0f%% of the link rate), alpha = %.1f us per ring message\n", \
        points, x, 100 / x, alpha * 1e6
    print "measured step against the model (t_compute / N + t_allreduce, nothing hidden):"
    for (i = 1; i <= rows; i++) if (rowBatch[i] in compute)
        printf "  N=%d %-7s batch %4d bucket %-8s measured %7.2f ms, model %7.2f ms\n", rowN[i], rowRate[i], rowBatch[i],
            rowBucket[i] "/" rowK[i], rowStep[i] * 1000, (compute[rowBatch[i]] / rowN[i] + comm(rowN[i], rowRate[i], 1)) * 1000
    printf "%14s %6s %10s", "link", "batch", "t_compute"
    for (n = 1; n <= 64; n *= 2) printf " %19s", "N=" n
    printf "   (powers of two up to 1024)\n"
    for (rate in rates) for (batch in compute) {
        printf "%14s %6d %8.2fms", rate, batch, compute[batch] * 1000
        best = 0; bestN = 1
        for (n = 1; n <= 1024; n *= 2) {
            t = compute[batch] / n + comm(n, rate, 1)
            if (batch / t > best) { best = batch / t; bestN = n }
            if (n <= 64) printf " %8.0f/s %4.1fx %2.0f%%", batch / t, compute[batch] / t, 100 * comm(n, rate, 1) / t
        }
        printf "   stops scaling at N=%d (%.0f/s)\n", bestN, best
    }
}
