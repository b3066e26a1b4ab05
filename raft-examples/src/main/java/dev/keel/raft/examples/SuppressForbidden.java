package dev.keel.raft.examples;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a documented exception to the build's forbidden-API gate ({@code config/forbidden-sleep.txt}, checked by
 * forbiddenapis, which honours any annotation of this simple name): the marked method or class may call what the gate
 * forbids, and a comment beside it gives the reason. Kept in class files only, for the check; nothing reads it at run
 * time.
 */
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.CONSTRUCTOR})
public @interface SuppressForbidden {
}
