# Fits the ring-allreduce model of docs/DISTRIBUTED.md to the JSON lines that
# Benchmarks/distributed-hosts.sh writes, then extrapolates to 8-64 hosts.
#
#   awk -v parameters=235146 -v cores=2 -f Benchmarks/distributed-model.awk out/hosts.json
#
# Model, per step, with N hosts, link rate R (bytes/s), P parameters and K allreduces (buckets):
#   t_allreduce(N, R, K) = x_bandwidth * 2 (N - 1)/N * 4P / R  +  K * alpha * 2 (N - 1)
#   t_step(N)            = t_compute / N + t_allreduce(N, R, K)      (nothing hidden by overlap)
# alpha, the latency of one message, is measured, not fitted: a one-float allreduce has nothing to
# transfer and is log2 N exchanges (recursive doubling, Open MPI's choice for short messages), so
# alpha = t_one_float / log2 N, by least squares over the N > 1 rows. x_bandwidth (1 = the link's
# full rate; above 1, TCP and MPI reach less of it) is then fitted by least squares to what the
# lone allreduces (one allreduce of the whole gradient, K = 1) of those rows take beyond
# alpha x 2 (N - 1). t_compute is the one-host step time at each batch size. Rows with a link
# rate but no delay added (tbf, no netem) measure the switch's and the kernel's own latency.

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
    return x[rate] * 2 * (n - 1) / n * 4 * parameters / rate_bytes(rate) + buckets * alpha * 2 * (n - 1)
}
{
    n = field($0, "hosts") + 0; rate = field($0, "rate"); batch = field($0, "batch") + 0
    step = field($0, "stepMilliseconds") / 1000; lone = field($0, "loneAllreduceMilliseconds") / 1000
    if (n == 1) { compute[batch] = step; next }
    rows++
    rowN[rows] = n; rowRate[rows] = rate; rowBatch[rows] = batch; rowStep[rows] = step
    rowBucket[rows] = field($0, "bucket"); rowK[rows] = field($0, "allreduces") + 0
    if (lone <= 0) next
    one = field($0, "oneFloatAllreduceMicroseconds") / 1e6
    rounds = int(log(n) / log(2) + 0.999999)    # ceil(log2 N)
    points++
    pointN[points] = n; pointRate[points] = rate; pointY[points] = lone; pointOne[points] = one; pointRounds[points] = rounds
    pointA[points] = 2 * (n - 1) / n * 4 * parameters / rate_bytes(rate)    # bandwidth term at full rate
    pointB[points] = 2 * (n - 1)                                            # the ring's messages
    rates[rate] = 1
}
# Whether row i is fitted: with `cores` given, only rows whose ranks have a core each (N <= cores),
# when there are any; the others are shown against the model.
function fitted(i) { return !(cores > 0 && fittable > 0 && pointN[i] > cores) }
END {
    for (i = 1; i <= points; i++) if (cores > 0 && pointN[i] <= cores) fittable++
    for (i = 1; i <= points; i++) if (fitted(i) && pointOne[i] > 0) { smm += pointRounds[i] ^ 2; smy += pointRounds[i] * pointOne[i]; latencies++ }
    if (latencies < 1) { print "fit: no multi-host row with a lone and a one-float allreduce"; exit 1 }
    alpha = smy / smm
    for (i = 1; i <= points; i++) if (fitted(i)) {
        saa[pointRate[i]] += pointA[i] ^ 2; say[pointRate[i]] += pointA[i] * (pointY[i] - pointB[i] * alpha); used[pointRate[i]]++
    }
    printf "alpha = %.1f us per message (from %d one-float allreduces%s)\n", alpha * 1e6, latencies, \
        (fittable > 0 && cores > 0) ? ", N <= " cores " hosts: a core per rank" : ""
    for (rate in rates) {
        if (!(rate in used)) { print "fit: no fitted row at " rate; exit 1 }
        x[rate] = say[rate] / saa[rate]
        printf "x_bandwidth at %s = %.3f (TCP and MPI reach %.0f%% of the link rate; fitted to %d lone allreduces)\n", \
            rate, x[rate], 100 / x[rate], used[rate]
    }
    print "lone allreduce against the model:"
    for (i = 1; i <= points; i++) {
        model = comm(pointN[i], pointRate[i], 1)
        printf "  N=%d %-7s measured %7.3f ms, model %7.3f ms (%+.0f%%)%s\n", pointN[i], pointRate[i], pointY[i] * 1000, model * 1000,
            100 * (pointY[i] / model - 1), fitted(i) ? "" : " (not fitted: ranks share cores)"
    }
    # The test hosts share this machine's cores: N ranks compute at most `cores` at a time.
    shared = cores > 0 ? cores : 1024
    printf "measured step against the model (t_compute / min(N, %d cores here) + t_allreduce, nothing hidden):\n", shared
    for (i = 1; i <= rows; i++) if (rowBatch[i] in compute) {
        model = compute[rowBatch[i]] / (rowN[i] < shared ? rowN[i] : shared) + comm(rowN[i], rowRate[i], 1)
        printf "  N=%d %-7s batch %4d bucket %-8s measured %7.2f ms, model %7.2f ms (%+.0f%%)\n", rowN[i], rowRate[i], rowBatch[i],
            rowBucket[i] "/" rowK[i], rowStep[i] * 1000, model * 1000, 100 * (rowStep[i] / model - 1)
    }
    print "extrapolated to one host per rank (t_compute / N + t_allreduce): samples/s, speed-up, share communicating"
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
