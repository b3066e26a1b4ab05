package dev.keel.raft.examples.kv.config;

import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.dataformat.toml.TomlMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Collectors;

/** Reads {@code node.toml} into a {@link ConfigFile}, rejecting unknown keys and values of the wrong type. */
public final class ConfigLoader {
    private static final TomlMapper MAPPER = TomlMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private ConfigLoader() {
    }

    /**
     * @throws ConfigException if the file cannot be read, is not TOML, or has unknown keys or mistyped values
     */
    public static ConfigFile read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file.toString(), "no such file");
        } catch (IOException e) {
            throw new ConfigException(file.toString(), "cannot read it: " + e.getMessage());
        }
        return parse(text, file.toString());
    }

    /** Parses TOML text; {@code source} names it in errors. */
    public static ConfigFile parse(String text, String source) {
        try {
            ConfigFile f = MAPPER.readValue(text, ConfigFile.class);
            return f != null ? f : new ConfigFile();
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
            throw new ConfigException(source, "unknown key '" + path(e, e.getPropertyName()) + "'" + at(e)
                    + (known.isEmpty() ? "" : "; the keys allowed there are: " + known));
        } catch (MismatchedInputException e) {
            throw new ConfigException(source, "'" + path(e, null) + "' has the wrong type" + at(e) + ": "
                    + e.getOriginalMessage());
        } catch (JacksonException e) {
            throw new ConfigException(source, "not valid TOML" + at(e) + ": " + e.getOriginalMessage());
        }
    }

    private static String path(JacksonException e, String last) {
        StringBuilder sb = new StringBuilder();
        for (JacksonException.Reference r : e.getPath()) {
            if (r.getPropertyName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(r.getPropertyName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        if (sb.isEmpty() && last != null) {
            sb.append(last);
        }
        return sb.toString();
    }

    private static String at(JacksonException e) {
        TokenStreamLocation loc = e.getLocation();
        return loc == null || loc.getLineNr() < 1 ? "" : " (line " + loc.getLineNr() + ")";
    }
}
