package io.jmlx.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** The per-tensor lines a subcommand prints, collected first so that the columns line up. */
final class TensorReport {
    private record Line(String action, String name, String what, long before, long after, String note) {}

    private final List<Line> lines = new ArrayList<>();
    private long before;
    private long after;

    /** Records one tensor: what was done to it, its description, and its data bytes before and after. */
    void add(String action, String name, String what, long bytesBefore, long bytesAfter, String note) {
        lines.add(new Line(action, name, what, bytesBefore, bytesAfter, note));
        before += bytesBefore;
        after += bytesAfter;
    }

    /** Number of tensors recorded with {@code action}. */
    long count(String action) {
        return lines.stream().filter(l -> l.action.equals(action)).count();
    }

    int size() {
        return lines.size();
    }

    long bytesBefore() {
        return before;
    }

    long bytesAfter() {
        return after;
    }

    /** Prints the lines with aligned columns. */
    void print(PrintWriter out) {
        int action = 0;
        int name = 0;
        int what = 0;
        int bytes = 0;
        for (Line l : lines) {
            action = Math.max(action, l.action.length());
            name = Math.max(name, l.name.length());
            what = Math.max(what, l.what.length());
            bytes = Math.max(bytes, JmlxSubcommand.bytes(l.before).length());
        }
        for (Line l : lines) {
            String b = JmlxSubcommand.bytes(l.before);
            StringBuilder sb = new StringBuilder("  ")
                    .append(JmlxSubcommand.pad(l.action, action))
                    .append("  ")
                    .append(JmlxSubcommand.pad(l.name, name))
                    .append("  ")
                    .append(JmlxSubcommand.pad(l.what, what))
                    .append("  ")
                    .append(" ".repeat(bytes - b.length()))
                    .append(b)
                    .append(" -> ")
                    .append(JmlxSubcommand.bytes(l.after));
            if (l.note != null) {
                sb.append("  (").append(l.note).append(')');
            }
            out.println(sb.toString().stripTrailing());
        }
    }
}
