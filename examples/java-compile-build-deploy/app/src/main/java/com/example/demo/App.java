package com.example.demo;

/** The sample service of the java-compile-build-deploy example: prints a greeting. */
public final class App {
  private App() {}

  public static void main(String[] args) {
    Greeting greeting = Greeting.load();
    if (args.length > 0 && args[0].equals("--self-test")) {
      if (!greeting.text("ci").startsWith("hello")) {
        System.err.println("self-test failed");
        System.exit(1);
      }
      System.out.println("self-test ok");
      return;
    }
    System.out.println(greeting.text(args.length > 0 ? args[0] : "world"));
  }
}
