package io.jmlx.gpu.vulkan;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * A native library shipped inside a jar on the class path (MoltenVK in LWJGL's {@code natives-macos*} jars),
 * extracted once into a cache folder so that {@code dlopen} can load it: the file goes to
 * {@code <cache>/<name>/<sha-256 of its bytes>/<file>}, written to a temporary file first and renamed into place,
 * so concurrent JVMs and interrupted runs never see a partial library.
 */
public final class BundledLibrary {
    /** System property overriding the cache folder. */
    public static final String CACHE_PROPERTY = "jmlx.cache.dir";

    private BundledLibrary() {}

    /** LWJGL's resource path of MoltenVK for an {@code os.arch} value, or empty when LWJGL ships none for it. */
    public static Optional<String> moltenVkResource(String osArch) {
        String arch = osArch.toLowerCase(Locale.ROOT);
        if (arch.equals("aarch64") || arch.equals("arm64")) {
            return Optional.of("macos/arm64/org/lwjgl/vulkan/libMoltenVK.dylib");
        }
        if (arch.equals("x86_64") || arch.equals("amd64")) {
            return Optional.of("macos/x64/org/lwjgl/vulkan/libMoltenVK.dylib");
        }
        return Optional.empty();
    }

    /** jmlx's cache folder: {@code -Djmlx.cache.dir}, else the platform's user cache folder plus {@code jmlx}. */
    public static Path cacheRoot() {
        String configured = System.getProperty(CACHE_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Path home = Path.of(System.getProperty("user.home"));
        if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("mac")) {
            return home.resolve("Library/Caches/jmlx");
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        return (xdg != null && !xdg.isBlank() ? Path.of(xdg) : home.resolve(".cache")).resolve("jmlx");
    }

    /**
     * The extracted copy of class-path resource {@code resource} under {@code cacheRoot}, extracting it when no
     * copy with the same content exists yet; empty when the class path has no such resource.
     */
    public static Optional<Path> extract(ClassLoader loader, String resource, Path cacheRoot) {
        URL url = loader.getResource(resource);
        if (url == null) {
            return Optional.empty();
        }
        try {
            byte[] bytes;
            try (InputStream in = url.openStream()) {
                bytes = in.readAllBytes();
            }
            String fileName = resource.substring(resource.lastIndexOf('/') + 1);
            String stem = fileName.contains(".") ? fileName.substring(0, fileName.indexOf('.')) : fileName;
            Path dir = cacheRoot.resolve(stem).resolve(sha256(bytes));
            Path target = dir.resolve(fileName);
            if (Files.isRegularFile(target) && Files.size(target) == bytes.length) {
                return Optional.of(target);
            }
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, fileName, ".part");
            try {
                Files.write(temp, bytes);
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temp);
            }
            return Optional.of(target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + resource + " from the class path into " + cacheRoot, e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes))
                    .substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
