package io.jmlx.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The table-driven error functions against the series and continued fraction they are built from. */
class ErfTest {
    @Test
    void bothVersionsMatchTheExactValues() {
        double worstFull = 0;
        double worstShort = 0;
        for (int i = -9000; i <= 9000; i++) {
            double x = i * 1e-3 + 1.7e-5;
            double exact = Erf.exact(x);
            worstFull = Math.max(worstFull, Math.abs(Erf.erf(x) - exact));
            worstShort = Math.max(worstShort, Math.abs(Erf.erfForFloat(x) - exact));
        }
        assertTrue(worstFull < 1e-14, "erf: " + worstFull);
        assertTrue(worstShort < 1e-11, "erfForFloat: " + worstShort);
        assertTrue(Double.isNaN(Erf.erfForFloat(Double.NaN)));
        assertEquals(-1.0, Erf.erfForFloat(-30));
    }
}
