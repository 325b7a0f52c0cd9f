namespace Mca.Workloads.Field;

/// <summary>
/// Natural logarithm and exponential computed with IEEE-754 additions, multiplications, divisions and
/// bit operations only (ports of fdlibm 5.3 <c>e_log.c</c> and <c>e_exp.c</c>, Sun Microsystems, freely
/// redistributable), so sampled error times are the same bytes on every platform. <see cref="Math.Log(double)"/>
/// and <see cref="Math.Exp"/> call the C runtime, which may differ in the last bit between systems.
/// </summary>
internal static class DetMath
{
    private const double Ln2Hi = 6.93147180369123816490e-01; // 0x3fe62e42 fee00000
    private const double Ln2Lo = 1.90821492927058770002e-10; // 0x3dea39ef 35793c76
    private const double Two54 = 1.80143985094819840000e+16;
    private const double Lg1 = 6.666666666666735130e-01;
    private const double Lg2 = 3.999999999940941908e-01;
    private const double Lg3 = 2.857142874366239149e-01;
    private const double Lg4 = 2.222219843214978396e-01;
    private const double Lg5 = 1.818357216161805012e-01;
    private const double Lg6 = 1.531383769920937332e-01;
    private const double Lg7 = 1.479819860511658591e-01;

    private const double OverflowThreshold = 7.09782712893383973096e+02;
    private const double UnderflowThreshold = -7.45133219101941108420e+02;
    private const double InvLn2 = 1.44269504088896338700e+00;
    private const double P1 = 1.66666666666666019037e-01;
    private const double P2 = -2.77777777770155933842e-03;
    private const double P3 = 6.61375632143793436117e-05;
    private const double P4 = -1.65339022054652515390e-06;
    private const double P5 = 4.13813679705723846039e-08;
    private const double TwoM1000 = 9.33263618503218878990e-302;

    /// <summary>ln(x): NaN for x &lt; 0 or NaN, -infinity for 0, +infinity for +infinity.</summary>
    public static double Log(double x)
    {
        long bits = BitConverter.DoubleToInt64Bits(x);
        int hx = (int)(bits >> 32);
        uint lx = (uint)bits;
        int k = 0;
        if (hx < 0x00100000)
        {
            if (((hx & 0x7fffffff) | (int)lx) == 0)
            {
                return double.NegativeInfinity;
            }

            if (hx < 0)
            {
                return double.NaN;
            }

            // Subnormal: scale up.
            k -= 54;
            x *= Two54;
            bits = BitConverter.DoubleToInt64Bits(x);
            hx = (int)(bits >> 32);
        }

        if (hx >= 0x7ff00000)
        {
            return x + x;
        }

        k += (hx >> 20) - 1023;
        hx &= 0x000fffff;
        int i = (hx + 0x95f64) & 0x100000;
        // Normalize x or x/2 into [sqrt(2)/2, sqrt(2)).
        x = BitConverter.Int64BitsToDouble(((long)(hx | (i ^ 0x3ff00000)) << 32) | (bits & 0xffffffffL));
        k += i >> 20;
        double f = x - 1.0;
        double dk;
        if ((0x000fffff & (2 + hx)) < 3)
        {
            // |f| < 2^-20
            if (f == 0.0)
            {
                if (k == 0)
                {
                    return 0.0;
                }

                dk = k;
                return (dk * Ln2Hi) + (dk * Ln2Lo);
            }

            double r0 = f * f * (0.5 - (0.33333333333333333 * f));
            if (k == 0)
            {
                return f - r0;
            }

            dk = k;
            return (dk * Ln2Hi) - ((r0 - (dk * Ln2Lo)) - f);
        }

        double s = f / (2.0 + f);
        dk = k;
        double z = s * s;
        i = hx - 0x6147a;
        double w = z * z;
        int j = 0x6b851 - hx;
        double t1 = w * (Lg2 + (w * (Lg4 + (w * Lg6))));
        double t2 = z * (Lg1 + (w * (Lg3 + (w * (Lg5 + (w * Lg7))))));
        i |= j;
        double r = t2 + t1;
        if (i > 0)
        {
            double hfsq = 0.5 * f * f;
            if (k == 0)
            {
                return f - (hfsq - (s * (hfsq + r)));
            }

            return (dk * Ln2Hi) - ((hfsq - ((s * (hfsq + r)) + (dk * Ln2Lo))) - f);
        }

        if (k == 0)
        {
            return f - (s * (f - r));
        }

        return (dk * Ln2Hi) - (((s * (f - r)) - (dk * Ln2Lo)) - f);
    }

    /// <summary>e^x: +infinity above about 709.78, 0 below about -745.13.</summary>
    public static double Exp(double x)
    {
        long bits = BitConverter.DoubleToInt64Bits(x);
        uint hx = (uint)(bits >> 32);
        int xsb = (int)((hx >> 31) & 1);
        hx &= 0x7fffffff;
        if (hx >= 0x40862E42)
        {
            if (hx >= 0x7ff00000)
            {
                if (((hx & 0xfffff) | (uint)bits) != 0)
                {
                    return x + x;
                }

                return xsb == 0 ? x : 0.0;
            }

            if (x > OverflowThreshold)
            {
                return double.PositiveInfinity;
            }

            if (x < UnderflowThreshold)
            {
                return 0.0;
            }
        }

        double hi = 0;
        double lo = 0;
        int k = 0;
        if (hx > 0x3fd62e42)
        {
            // |x| > 0.5 ln2: reduce to x = k ln2 + r.
            if (hx < 0x3FF0A2B2)
            {
                hi = xsb == 0 ? x - Ln2Hi : x + Ln2Hi;
                lo = xsb == 0 ? Ln2Lo : -Ln2Lo;
                k = 1 - xsb - xsb;
            }
            else
            {
                k = (int)((InvLn2 * x) + (xsb == 0 ? 0.5 : -0.5));
                double t0 = k;
                hi = x - (t0 * Ln2Hi);
                lo = t0 * Ln2Lo;
            }

            x = hi - lo;
        }
        else if (hx < 0x3e300000)
        {
            return 1.0 + x;
        }

        double t = x * x;
        double c = x - (t * (P1 + (t * (P2 + (t * (P3 + (t * (P4 + (t * P5)))))))));
        if (k == 0)
        {
            return 1.0 - (((x * c) / (c - 2.0)) - x);
        }

        double y = 1.0 - ((lo - ((x * c) / (2.0 - c))) - hi);
        long ybits = BitConverter.DoubleToInt64Bits(y);
        if (k >= -1021)
        {
            return BitConverter.Int64BitsToDouble(ybits + ((long)k << 52));
        }

        return BitConverter.Int64BitsToDouble(ybits + ((long)(k + 1000) << 52)) * TwoM1000;
    }

    /// <summary>x^y for x &gt; 0 as exp(y ln x) (a few ulps; enough for sampling).</summary>
    public static double Pow(double x, double y) => Exp(y * Log(x));
}
