namespace Mca.Workloads.Statistics;

/// <summary>
/// The exact two-sided sign test: of the pairs that differ, <c>up</c> went one way and <c>down</c> the
/// other; under "no effect" each way has probability 1/2, so min(up, down) follows a binomial(up + down,
/// 1/2) tail. Exact rather than a normal approximation, as for Clopper-Pearson intervals (Thulin, arXiv 1303.1288):
/// policy differences are often a handful of machines, where an approximation is wrong by orders of
/// magnitude.
/// </summary>
public static class SignTest
{
    /// <summary>
    /// The two-sided p-value, min(1, 2 P(X &lt;= min(up, down))) for X ~ binomial(up + down, 1/2);
    /// 1 when nothing changed. Summed in logarithms, so any count of pairs works without underflow.
    /// </summary>
    public static double TwoSidedP(long up, long down)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(up);
        ArgumentOutOfRangeException.ThrowIfNegative(down);
        long n = up + down;
        long k = Math.Min(up, down);
        if (2 * k + 1 >= n)
        {
            return 1; // up and down at most one apart (or nothing changed): the tail holds half the mass or more.
        }

        // ln P(X = k) from ln P(X = 0) = -n ln 2, term by term: P(i + 1) / P(i) = (n - i) / (i + 1).
        double logTop = -n * Math.Log(2);
        for (long i = 0; i < k; i++)
        {
            logTop += Math.Log(n - i) - Math.Log(i + 1);
        }

        // Sum P(k), P(k - 1), ... relative to P(k) (the largest term of the lower tail) until the terms
        // no longer change the sum.
        double sum = 1, term = 1;
        for (long i = k; i > 0; i--)
        {
            term *= i / (double)(n - i + 1);
            sum += term;
            if (term < sum * 1e-17)
            {
                break;
            }
        }

        return Math.Min(1, 2 * Math.Exp(logTop + Math.Log(sum)));
    }
}
