// The README as a new user runs it, and every subcommand's --help examples.
//
// How README.md is read (follow this when you add to it):
//  - Fenced ```sh blocks are run, in README order, from one fresh empty directory, with default
//    flags and relative paths: exactly what is printed. Other fences (```json, ```text) and
//    indented blocks (the `make demo` / `make test` lines at the top) are not run; an indented
//    `build/ticklake` line or a ```bash / ```shell / ```console fence fails the test, so no
//    command hides from it.
//  - ```sh no-test blocks are shown but not run. Keep them rare (today: the one that needs real
//    AWS Glue) and say why next to them in the README.
//  - A command is a line with its `\` continuation lines (and a heredoc's lines up to its end
//    word). Each runs in its own `bash -o pipefail -c`, so it must not rely on variables another
//    command set; it must exit 0.
//  - `# prints: TEXT` on the line(s) after a command: its output (stdout or stderr) contains
//    TEXT, where `…` stands for anything (pieces must appear in order).
//  - A command ending with `# serves until Ctrl-C` runs in the background: the test waits for its
//    `# prints:` texts, runs the next commands of the block, then sends SIGINT at the end of the
//    block and expects exit code 0.
//  - Substitutions, the only ones: `$BOOTSTRAP` is set to the bootstrap string of a `ticklake
//    broker` the test starts; AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION and
//    AWS_ENDPOINT_URL_S3 point at the signature-checking S3 server (tests/peers/s3rver.js) with
//    the buckets README's s3:// URIs name, and `aws s3` commands get `--endpoint-url` (awscli 2.9
//    does not read AWS_ENDPOINT_URL_S3).
//  - `build/ticklake`: the fresh directory holds a `build` symlink to the folder of the binary
//    under test, so `build/ticklake` is that binary, as in a checkout after `make`; and a
//    `scripts` symlink to the checkout's scripts (scripts/kafka-cluster.sh).
//
// --help examples: every subcommand that `ticklake --help` lists must end its help with an
// "Examples:" footer whose lines "  ticklake ..." are commands (a trailing `# serves until
// Ctrl-C` marks a server, and "  # prints: TEXT" lines check output, as above).
// They run after the README's commands in the same directory (so its lake and catalog exist),
// with `ticklake` meaning the binary under test and the Kafka address 127.0.0.1:9092 replaced by
// the test broker's bootstrap.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "common/file_util.h"
#include "tests/test_util.h"

namespace ticklake::test {
namespace {
namespace fs = std::filesystem;

struct Command {
  std::string text;                   // as bash runs it
  std::vector<std::string> expected;  // `# prints:` texts
  bool serves = false;                // runs until Ctrl-C
  int line = 0;                       // where it starts in its source
};

struct Block {
  int line = 0;
  std::vector<Command> commands;
};

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  size_t e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// Splits the lines of one block into commands (see the convention above).
std::vector<Command> ParseCommands(const std::vector<std::string>& lines, int first_line) {
  static const std::regex heredoc(R"(<<-?\s*'?"?(\w+)'?"?)");
  static const std::regex serves(R"(#\s*serves until Ctrl-C)");
  std::vector<Command> commands;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string line = Trim(lines[i]);
    if (line.empty()) continue;
    if (line.starts_with("# prints:")) {
      if (commands.empty()) ADD_FAILURE() << "line " << first_line + i << ": no command before";
      if (!commands.empty()) commands.back().expected.push_back(Trim(line.substr(9)));
      continue;
    }
    if (line.starts_with("#")) continue;
    Command c;
    c.line = first_line + static_cast<int>(i);
    c.text = lines[i];
    while (Trim(c.text).ends_with("\\") && i + 1 < lines.size()) c.text += "\n" + lines[++i];
    std::smatch m;
    if (std::regex_search(c.text, m, heredoc)) {
      std::string end = m[1];
      while (i + 1 < lines.size()) {
        c.text += "\n" + lines[++i];
        if (Trim(lines[i]) == end) break;
      }
    }
    c.serves = std::regex_search(c.text, serves);
    commands.push_back(std::move(c));
  }
  return commands;
}

// The ```sh blocks of a Markdown file (```sh no-test blocks left out).
std::vector<Block> ShellBlocks(const std::string& markdown) {
  std::vector<Block> blocks;
  std::istringstream in(markdown);
  std::string line;
  int number = 0;
  bool inside = false, run = false;
  std::vector<std::string> lines;
  int start = 0;
  while (std::getline(in, line)) {
    ++number;
    std::string t = Trim(line);
    if (!inside && t.starts_with("```")) {
      inside = true;
      std::string info = Trim(t.substr(3));
      run = info == "sh";
      bool shell = info.starts_with("sh") || info.starts_with("bash") || info == "shell" ||
                   info == "console";
      if (shell && !run && info != "sh no-test") {
        ADD_FAILURE() << "README.md:" << number << ": unknown fence '" << t
                      << "' (```sh runs, ```sh no-test is shown only)";
      }
      lines.clear();
      start = number + 1;
    } else if (inside && t == "```") {
      inside = false;
      if (run) blocks.push_back({start, ParseCommands(lines, start)});
    } else if (inside) {
      lines.push_back(line);
    } else if (line.starts_with("    build/ticklake")) {
      ADD_FAILURE() << "README.md:" << number << ": an indented command is never run; put it in a "
                    << "```sh block: " << line;
    }
  }
  EXPECT_FALSE(inside) << "README.md: unterminated code fence";
  return blocks;
}

// Whether `output` holds the pieces of `expected` (split at "…") in order.
bool Matches(const std::string& output, const std::string& expected) {
  size_t pos = 0, from = 0;
  const std::string ellipsis = "…";
  while (true) {
    size_t cut = expected.find(ellipsis, from);
    std::string piece = Trim(expected.substr(from, cut == std::string::npos ? cut : cut - from));
    if (!piece.empty()) {
      pos = output.find(piece, pos);
      if (pos == std::string::npos) return false;
      pos += piece.size();
    }
    if (cut == std::string::npos) return true;
    from = cut + ellipsis.size();
  }
}

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

class ReadmeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(work_);
    fs::create_symlink(fs::path(TicklakeBinary()).parent_path(), work_ / "build");
    fs::create_symlink(SourceDir() / "scripts", work_ / "scripts");
    env_ = s3_.Env();
    env_.push_back("BOOTSTRAP=" + broker_.bootstrap());
  }

  // Runs the commands of one block (or one help text); returns false after the first failure.
  bool RunBlock(const std::string& where, const std::vector<Command>& commands) {
    std::vector<std::pair<const Command*, std::unique_ptr<Subprocess>>> servers;
    bool ok = true;
    for (const auto& c : commands) {
      std::string text =
          std::regex_replace(c.text, std::regex(R"((^|\s)aws s3 )"),
                             "$1/usr/bin/aws --endpoint-url " + s3_.endpoint() + " s3 ");
      std::string at = where + ":" + std::to_string(c.line) + ": " + c.text;
      std::vector<std::string> argv = {
          "bash", "-o", "pipefail", "-c",
          "cd " + Quote(work_.string()) + " && " + (c.serves ? "exec " : "") + text};
      auto p = std::make_unique<Subprocess>(argv, dir_.path() / "logs", env_);
      auto output = [&] { return p->Stdout() + "\n" + p->Stderr(); };
      auto printed = [&] {
        std::string out = output();
        for (const auto& e : c.expected) {
          if (!Matches(out, e)) return false;
        }
        return true;
      };
      if (c.serves) {
        bool up = WaitFor([&] { return printed() || !p->Running(); }, std::chrono::seconds(60));
        if (!up || !p->Running() || !printed()) {
          ADD_FAILURE() << at << "\ndid not start serving and print "
                        << ::testing::PrintToString(c.expected) << "; it printed:\n"
                        << output();
          ok = false;
          break;
        }
        servers.emplace_back(&c, std::move(p));
        continue;
      }
      int code = p->Wait(std::chrono::seconds(180));
      ++commands_run_;
      if (code != 0) {
        ADD_FAILURE() << at << "\nexit code " << code << "; it printed:\n" << output();
        ok = false;
        break;
      }
      for (const auto& e : c.expected) {
        if (!Matches(output(), e)) {
          ADD_FAILURE() << at << "\ndid not print \"" << e << "\"; it printed:\n" << output();
          ok = false;
        }
      }
      if (!ok) break;
    }
    for (auto& [c, p] : servers) {
      p->Signal(SIGINT);
      int code = p->Wait(std::chrono::seconds(60));
      ++commands_run_;
      if (code != 0) {
        ADD_FAILURE() << where << ":" << c->line << ": " << c->text << "\nexit code " << code
                      << " after Ctrl-C; it printed:\n"
                      << p->Stdout() << p->Stderr();
        ok = false;
      }
    }
    return ok;
  }

  // The commands of a subcommand's "Examples:" help footer.
  std::vector<Command> HelpExamples(const std::string& subcommand) {
    CommandResult help = RunCommand({TicklakeBinary(), subcommand, "--help"});
    EXPECT_EQ(help.exit_code, 0) << help.err;
    std::vector<std::string> lines;
    std::istringstream in(help.out);
    std::string line;
    bool examples = false;
    while (std::getline(in, line)) {
      if (Trim(line) == "Examples:") {
        examples = true;
      } else if (examples && line.starts_with("  ticklake ")) {
        line = std::regex_replace(line, std::regex("127\\.0\\.0\\.1:9092"), "$$BOOTSTRAP");
        lines.push_back("build/" + Trim(line));
      } else if (examples && Trim(line).starts_with("# prints:")) {
        lines.push_back(Trim(line));
      } else if (examples && !line.starts_with("  ")) {
        examples = false;
      }
    }
    EXPECT_FALSE(lines.empty()) << "ticklake " << subcommand << " --help has no Examples:\n"
                                << help.out;
    return ParseCommands(lines, 1);
  }

  TempDir dir_{"ticklake-readme-test"};
  fs::path work_ = dir_.path() / "fresh";
  BrokerProcess broker_{dir_.path(), {"--topic", "stock_market:6"}};
  S3ServerProcess s3_{dir_.path(), {"my-bucket"}};
  std::vector<std::string> env_;
  int commands_run_ = 0;
};

TEST(ReadmeParsing, CommandsExpectationsContinuationsAndHeredocs) {
  auto blocks = ShellBlocks(
      "text\n```sh\nbuild/ticklake a \\\n  --b c   # note\n# prints: x … y\n# a comment\n"
      "cat > f.sql <<'EOF'\nSELECT 1;\nEOF\nbuild/ticklake s   # serves until Ctrl-C\n```\n"
      "```sh no-test\naws glue x\n```\n```json\n{}\n```\n    make demo\n");
  ASSERT_EQ(blocks.size(), 1u);
  ASSERT_EQ(blocks[0].commands.size(), 3u);
  EXPECT_EQ(blocks[0].commands[0].text, "build/ticklake a \\\n  --b c   # note");
  EXPECT_EQ(blocks[0].commands[0].expected, std::vector<std::string>{"x … y"});
  EXPECT_EQ(blocks[0].commands[1].text, "cat > f.sql <<'EOF'\nSELECT 1;\nEOF");
  EXPECT_TRUE(blocks[0].commands[2].serves);
  EXPECT_FALSE(blocks[0].commands[0].serves);
  EXPECT_TRUE(Matches("a x b y c", "x … y"));
  EXPECT_FALSE(Matches("a y b x c", "x … y"));
}

TEST_F(ReadmeTest, EveryReadmeCommandAndHelpExampleWorksAsPrinted) {
  ASSERT_FALSE(broker_.bootstrap().empty());
  ASSERT_FALSE(s3_.endpoint().empty());
  std::string readme = ReadWholeFile(SourceDir() / "README.md");
  std::vector<Block> blocks = ShellBlocks(readme);
  ASSERT_GE(blocks.size(), 5u) << "README.md lost its ```sh blocks";
  for (const auto& block : blocks) {
    ASSERT_TRUE(RunBlock("README.md", block.commands)) << "README.md block at line " << block.line;
  }
  // Every subcommand `ticklake --help` lists, in its order: a new one needs examples too.
  CommandResult help = RunCommand({TicklakeBinary(), "--help"});
  std::vector<std::string> subcommands;
  ASSERT_NE(help.out.find("Subcommands:"), std::string::npos) << help.out;
  std::string rest = help.out.substr(help.out.find("Subcommands:"));
  static const std::regex name(R"(\n  ([a-z][a-z-]*) )");
  for (auto it = std::sregex_iterator(rest.begin(), rest.end(), name); it != std::sregex_iterator();
       ++it) {
    subcommands.push_back((*it)[1]);
  }
  EXPECT_GE(subcommands.size(), 8u) << help.out;
  for (const auto& sub : subcommands) {
    ASSERT_TRUE(RunBlock("ticklake " + sub + " --help", HelpExamples(sub)));
  }
  EXPECT_GE(commands_run_, 30);
  RecordProperty("commands_run", commands_run_);
}

}  // namespace
}  // namespace ticklake::test
