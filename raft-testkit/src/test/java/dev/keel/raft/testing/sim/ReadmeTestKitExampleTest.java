package dev.keel.raft.testing.sim;

import org.junit.jupiter.api.Test;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's "Testing your state machine" example, as written there: compiled against the test kit and run, each
 * of its {@code @Test} methods, so the example a user copies is one that works.
 */
class ReadmeTestKitExampleTest {
    private static final Pattern SECTION_BLOCK = Pattern.compile(
            "## Testing your state machine\\n.*?```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern CLASS_NAME = Pattern.compile("public (?:final )?class (\\w+)");

    @Test
    void theReadmesStateMachineSimulationExampleCompilesAndPasses() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher block = SECTION_BLOCK.matcher(readme);
        assertThat(block.find()).as("a java block under '## Testing your state machine' in README.md").isTrue();
        String code = block.group(1);
        Matcher name = CLASS_NAME.matcher(code);
        assertThat(name.find()).isTrue();
        String className = name.group(1);

        Path out = Files.createTempDirectory("readme-testkit-example");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        JavaFileObject source = new SimpleJavaFileObject(URI.create("string:///" + className + ".java"),
                JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return code;
            }
        };
        boolean compiled = javac.getTask(null, null, diagnostics,
                List.of("-classpath", classpath, "-d", out.toString(), "--release", "17"), null, List.of(source))
                .call();
        StringBuilder errors = new StringBuilder();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            errors.append(d).append('\n');
        }
        assertThat(compiled).as("the example compiles:\n%s", errors).isTrue();

        try (URLClassLoader loader = new URLClassLoader(new URL[]{out.toUri().toURL()}, getClass().getClassLoader())) {
            Class<?> example = loader.loadClass(className);
            Object instance = example.getDeclaredConstructor().newInstance();
            List<String> ran = new ArrayList<>();
            for (Method m : example.getDeclaredMethods()) {
                if (m.isAnnotationPresent(Test.class)) {
                    try {
                        m.invoke(instance);
                    } catch (InvocationTargetException e) {
                        throw new AssertionError("the README example's " + m.getName() + " failed", e.getCause());
                    }
                    ran.add(m.getName());
                }
            }
            assertThat(ran).as("@Test methods of the example").isNotEmpty();
        }
    }
}
