package io.jmlx.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Rows of text printed as aligned columns (numbers right-aligned where asked), for the commands' reports. */
final class TextTable {
    private final List<String[]> rows = new ArrayList<>();
    private final Set<Integer> rightAligned = new HashSet<>();

    /** A table whose first row is {@code header}. */
    TextTable(String... header) {
        rows.add(header);
    }

    /** Right-aligns the given columns (0-based). */
    TextTable alignRight(int... columns) {
        for (int c : columns) {
            rightAligned.add(c);
        }
        return this;
    }

    /** Adds a row; missing trailing cells are empty. */
    void add(String... cells) {
        rows.add(cells);
    }

    /** Number of rows after the header. */
    int size() {
        return rows.size() - 1;
    }

    /** Prints every row, indented by two spaces, trailing blanks removed. */
    void print(PrintWriter out) {
        int columns = rows.stream().mapToInt(r -> r.length).max().orElse(0);
        int[] width = new int[columns];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder sb = new StringBuilder(" ");
            for (int i = 0; i < r.length; i++) {
                String gap = " ".repeat(width[i] - r[i].length());
                sb.append(' ')
                        .append(rightAligned.contains(i) ? gap + r[i] : r[i] + gap)
                        .append(' ');
            }
            out.println(sb.toString().stripTrailing());
        }
    }
}
