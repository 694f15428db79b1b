package dev.mergenet.transfer.report;

/** Mean, sample std and the paired-difference 95% confidence interval (Student t). */
public final class PairedStats {
    /** Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom. */
    private static final double[] T975 = {
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
        2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042
    };

    private PairedStats() {}

    public static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    public static double std(double[] v) {
        if (v.length < 2) {
            return Double.NaN;
        }
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / (v.length - 1));
    }

    public static double t975(int df) {
        if (df < 1) {
            return Double.NaN;
        }
        return df <= T975.length ? T975[df - 1] : 1.96;
    }

    /** {mean difference, half-width of the 95% CI} of a − b, paired by index. */
    public static double[] pairedDifference(double[] a, double[] b) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - b[i];
        }
        double half = t975(d.length - 1) * std(d) / Math.sqrt(d.length);
        return new double[] {mean(d), half};
    }
}
