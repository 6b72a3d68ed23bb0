package io.faketcp.samples.boot;

import io.faketcp.spring.ContextFakeNetwork;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ActiveProfiles;

// tag::app-network[]
/**
 * The application's tests, on one fake network that lives as long as their application context
 * (hosts: {@link AppHosts}). Every class with this annotation shares that context and network.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest
@ActiveProfiles("faketcp")   // application-faketcp.properties: ${faketcp.address.5}, ${faketcp.address.7}
@ContextFakeNetwork(subnet = "10.80.0.0/24", rules = AppHosts.class,
    background = "10.80.0.7:5432")   // the pool's traffic is in no test's capture, unless it asks
@interface AppNetwork {}
// end::app-network[]
