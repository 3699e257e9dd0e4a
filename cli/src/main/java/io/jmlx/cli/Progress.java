package io.jmlx.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress of a long job measured in bytes: on a terminal a bar redrawn in place with the rate and the estimated
 * time left; elsewhere (a log, a pipe) a plain line at every tenth of the work.
 */
final class Progress {
    private static final int BAR = 30;
    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintWriter out;
    private final boolean terminal;
    private final String label;
    private final long total;
    private final long start = System.nanoTime();
    private long lastDraw;
    private int lastTenth;
    private int drawnWidth;

    /**
     * @param out      where to print (stderr, so that the report on stdout can be piped)
     * @param terminal true to redraw a bar in place
     * @param label    what is being done, e.g. {@code converting}
     * @param total    bytes of work in all
     */
    Progress(PrintWriter out, boolean terminal, String label, long total) {
        this.out = out;
        this.terminal = terminal;
        this.label = label;
        this.total = Math.max(1, total);
    }

    /** True when the JVM's console is an interactive terminal. */
    static boolean onTerminal() {
        return System.console() != null && System.console().isTerminal();
    }

    /** {@code done} bytes of the total are finished; {@code item} names the last piece. */
    void update(long done, String item) {
        long now = System.nanoTime();
        double fraction = Math.min(1.0, (double) done / total);
        if (terminal) {
            if (now - lastDraw < REDRAW_NANOS && done < total) {
                return;
            }
            lastDraw = now;
            int filled = (int) Math.round(fraction * BAR);
            String line = String.format(
                    Locale.ROOT,
                    "\r%s [%s%s] %3.0f%%  %s/%s  %s  ETA %s  %s",
                    label,
                    "#".repeat(filled),
                    " ".repeat(BAR - filled),
                    fraction * 100,
                    JmlxSubcommand.size(done),
                    JmlxSubcommand.size(total),
                    rate(done, now),
                    eta(done, now),
                    item);
            int width = line.length();
            out.print(line + " ".repeat(Math.max(0, drawnWidth - width)));
            drawnWidth = width;
            out.flush();
        } else {
            int tenth = (int) Math.floor(fraction * 10);
            if (tenth > lastTenth) {
                lastTenth = tenth;
                out.println(String.format(
                        Locale.ROOT,
                        "%s: %3d%%  %s of %s  %s  ETA %s",
                        label,
                        tenth * 10,
                        JmlxSubcommand.size(done),
                        JmlxSubcommand.size(total),
                        rate(done, now),
                        eta(done, now)));
                out.flush();
            }
        }
    }

    /** Ends the bar's line on a terminal. */
    void finish() {
        if (terminal && drawnWidth > 0) {
            out.println();
            out.flush();
        }
    }

    private String rate(long done, long now) {
        double seconds = (now - start) / 1e9;
        return seconds <= 0 ? "-" : JmlxSubcommand.size((long) (done / seconds)) + "/s";
    }

    private String eta(long done, long now) {
        if (done <= 0) {
            return "--:--";
        }
        long seconds = Math.round((now - start) / 1e9 * (total - done) / done);
        return String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }
}
