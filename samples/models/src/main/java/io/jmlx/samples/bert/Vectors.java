package io.jmlx.samples.bert;

/** Small vector helpers for comparing embeddings. */
public final class Vectors {
    private Vectors() {}

    /** The cosine similarity of two vectors of the same length, in double precision. */
    public static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("vectors of " + a.length + " and " + b.length + " dimensions");
        }
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    /** {@code v} scaled to unit length in place (a zero vector stays zero); returns {@code v}. */
    public static float[] normalize(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += (double) x * x;
        }
        float inv = (float) (1 / Math.max(Math.sqrt(norm), 1e-12));
        for (int j = 0; j < v.length; j++) {
            v[j] *= inv;
        }
        return v;
    }

    /** The index of the vector in {@code candidates} most similar to {@code query} (ties: the first). */
    public static int nearest(float[] query, java.util.List<float[]> candidates, int exclude) {
        int best = -1;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < candidates.size(); i++) {
            if (i == exclude) {
                continue;
            }
            double s = cosine(query, candidates.get(i));
            if (s > bestScore) {
                bestScore = s;
                best = i;
            }
        }
        return best;
    }
}
