package com.example.demo;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** A greeting read from app.properties on the classpath. */
final class Greeting {
  private final String template;

  private Greeting(String template) {
    this.template = template;
  }

  static Greeting load() {
    Properties props = new Properties();
    try (InputStream in = Greeting.class.getResourceAsStream("/app.properties")) {
      if (in != null) props.load(in);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read app.properties", e);
    }
    return new Greeting(props.getProperty("greeting", "hello, %s"));
  }

  String text(String who) {
    return String.format(template, who);
  }
}
