package dev.tcpkit.example;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's library section opens with this module's program, verbatim: what users copy is what the build ran. */
final class ReadmeExampleTest {
    private static final Pattern FIRST_JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);

    @Test
    void readmeLibrarySectionShowsTheExampleSource() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"), UTF_8);
        int section = readme.indexOf("\n## The library");
        assertThat(section).as("the README's library section").isNotNegative();
        Matcher block = FIRST_JAVA_BLOCK.matcher(readme);
        assertThat(block.find(section))
                .as("a java block in the library section")
                .isTrue();

        String source = Files.readString(
                Path.of("src", "main", "java", "dev", "tcpkit", "example", "UpperCaseServer.java"), UTF_8);
        assertThat(block.group(1)).isEqualTo(source);
    }
}
