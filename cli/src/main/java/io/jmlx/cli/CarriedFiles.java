package io.jmlx.cli;

import io.jmlx.io.model.ModelCheckpoint;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The files besides the weights that a command writing a model directory copies over from its input directory. */
final class CarriedFiles {
    private CarriedFiles() {}

    /**
     * The files of an input directory that mlx-lm carries along (its download patterns: {@code *.json},
     * {@code *.py}, {@code *.txt}, {@code *.jsonl}, {@code *.jinja}, {@code *.tiktoken}, {@code tokenizer.model}),
     * plus licences, READMEs and llama2.c's {@code tokenizer.bin}; never weights in other formats, the index or the
     * config.
     */
    static List<Path> of(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                String n = p.getFileName().toString();
                boolean carried =
                        n.matches(".*\\.(json|py|txt|jsonl|jinja|tiktoken|md)|tokenizer\\.(model|bin)|LICENSE.*");
                boolean ours = n.equals(ModelCheckpoint.INDEX_FILE) || n.equals(ModelCheckpoint.CONFIG_FILE);
                if (Files.isRegularFile(p) && carried && !ours && !n.startsWith(".")) {
                    files.add(p);
                }
            }
        }
        files.sort(null);
        return files;
    }
}
