package dev.keel.raft.examples;

import org.junit.jupiter.api.Test;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The Java examples in the top-level README compile against the current API. */
class ReadmeExampleTest {
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern CLASS_NAME = Pattern.compile("public (?:final )?class (\\w+)");

    @Test
    void everyJavaBlockInTheReadmeCompiles() throws IOException {
        Path readme = Path.of("..", "README.md");
        String text = Files.readString(readme);
        List<JavaFileObject> sources = new ArrayList<>();
        Matcher m = JAVA_BLOCK.matcher(text);
        while (m.find()) {
            String code = m.group(1);
            Matcher name = CLASS_NAME.matcher(code);
            assertThat(name.find()).as("a java block in the README declares a public class").isTrue();
            sources.add(new SimpleJavaFileObject(URI.create("string:///" + name.group(1) + ".java"),
                    JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return code;
                }
            });
        }
        assertThat(sources).as("java blocks in the README").isNotEmpty();

        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Path out = Files.createTempDirectory("readme-classes");
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        boolean ok = compiler.getTask(null, null, diagnostics,
                List.of("-classpath", classpath, "-d", out.toString(), "--release", "17"), null, sources).call();
        StringBuilder errors = new StringBuilder();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            errors.append(d).append('\n');
        }
        assertThat(ok).as("README examples compile:\n%s", errors).isTrue();
    }
}
