package dev.keel.raft.examples;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a documented exception to the build's forbidden-API gate ({@code config/forbidden-sleep.txt}, checked by
 * forbiddenapis, which the root pom tells to honour {@code dev.keel.**.SuppressForbidden}): the marked method or class
 * may call what that gate forbids, and a comment in it gives the reason. The deterministic core's gate honours no such
 * mark. Kept in class files only, for the check; nothing reads it at run time.
 */
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.CONSTRUCTOR})
public @interface SuppressForbidden {
}
