package io.jmlx.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jmlx.Array;
import io.jmlx.io.safetensors.SafetensorsFile;
import io.jmlx.io.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import picocli.CommandLine;

/** Runs the {@code jmlx} command line in-process and captures what it prints; helpers for the CLI tests. */
final class Cli {
    /** The outcome of one run. */
    record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private Cli() {}

    static Result run(Object... args) {
        String[] strings = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            strings[i] = String.valueOf(args[i]);
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = JmlxCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(strings);
        return new Result(code, out.toString(), err.toString());
    }

    /**
     * {@code jmlx} in a child JVM, as users run it: {@code jvmOptions} (e.g. a heap limit), then the command line;
     * stderr is merged into stdout.
     */
    static Process launch(List<String> jvmOptions, Object... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of(
                "--enable-native-access=ALL-UNNAMED",
                "--add-modules",
                "jdk.incubator.vector",
                "-cp",
                System.getProperty("java.class.path"),
                JmlxCommand.class.getName()));
        for (Object a : args) {
            cmd.add(String.valueOf(a));
        }
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    static void write(Path file, Map<String, Array> tensors, Map<String, String> metadata) throws IOException {
        SafetensorsWriter.write(file, tensors, metadata);
    }

    /** File names in {@code dir}, sorted. */
    static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** A SHA-256 over a file, or over a directory tree's relative paths and file contents. */
    static String digest(Path root) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted().toList()) {
                md.update(root.relativize(p).toString().getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
                if (Files.isRegularFile(p)) {
                    md.update(Files.readAllBytes(p));
                }
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Asserts tensor {@code name} has the same dtype, shape and bytes in both files. */
    static void assertSameTensor(SafetensorsFile a, SafetensorsFile b, String name) {
        assertEquals(a.info(name).dtype(), b.info(name).dtype(), name);
        assertArrayEquals(a.info(name).shape(), b.info(name).shape(), name);
        assertArrayEquals(a.get(name).toBytes(), b.get(name).toBytes(), name);
    }
}
