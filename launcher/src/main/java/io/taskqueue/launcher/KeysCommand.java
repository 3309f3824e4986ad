package io.taskqueue.launcher;

import io.taskqueue.gateway.ApiKeys;
import io.taskqueue.gateway.ApiScope;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** API keys for the gateway: {@code taskqueue keys create --name ci --scopes submit,read}. */
@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    description = "Manage API keys of the gateway (see docs/operations.md).",
    subcommands = {KeysCommand.Create.class})
final class KeysCommand implements Runnable {

  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  /**
   * Mints a key: the secret goes to the client and is shown only here; the gateway stores only the
   * line with its hash (TASKQUEUE_API_KEYS or TASKQUEUE_API_KEYS_FILE).
   */
  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description =
          "Mint a new API key. Prints the secret once (give it to the client) and the line to add"
              + " to TASKQUEUE_API_KEYS or TASKQUEUE_API_KEYS_FILE (it holds only a hash).")
  static final class Create implements Callable<Integer> {

    @Option(
        names = "--name",
        required = true,
        description = "Who uses the key (letters, digits, '.', '_', '-'), e.g. ci or dashboard.")
    String name;

    @Option(
        names = "--scopes",
        required = true,
        split = ",",
        description = "Comma-separated: submit, read, admin (cancel, retry, queue control).")
    List<String> scopes;

    @Override
    public Integer call() {
      Set<ApiScope> parsed = EnumSet.noneOf(ApiScope.class);
      scopes.forEach(s -> parsed.add(ApiScope.parse(s)));
      ApiKeys.Minted minted = ApiKeys.mint(name, parsed);
      System.out.println("secret (shown once; give it to the client, store it nowhere else):");
      System.out.println("  " + minted.secret());
      System.out.println("key line (for TASKQUEUE_API_KEYS or TASKQUEUE_API_KEYS_FILE):");
      System.out.println("  " + minted.key().line());
      return 0;
    }
  }
}
