package io.faketcp.junit5;

import io.faketcp.peer.Mode;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Where Spring's annotation model sees {@link FakeNetwork#mode()} go, so that it does not take it for
 * {@code @ResourceLock}'s {@code mode}. Spring Framework 6.2 treats an attribute that has the name of an
 * attribute of a meta-annotation as an override of it ("convention-based", deprecated, with a warning
 * in every run) unless an {@code @AliasFor} on the attribute names another target; {@code mode} names
 * this one. Nothing reads it: JUnit and faketcp read {@link FakeNetwork#mode()} itself. Without Spring on
 * the class path the {@code @AliasFor} is not there at all (the JVM leaves out annotations whose type it
 * cannot load).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.ANNOTATION_TYPE)
@interface PeerModeAlias {
  /** Same type and default as {@link FakeNetwork#mode()}, as {@code @AliasFor} demands. */
  Mode mode() default Mode.ACCEPT;
}
