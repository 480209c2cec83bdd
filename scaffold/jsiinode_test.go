package scaffold

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// jsiiNode renders build/jsii-node and the jsii-stdio.js beside it into a
// directory of the test's and returns the script's path.
func jsiiNode(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"jsii-node", "jsii-stdio.js"} {
		b, err := render("templates/app/build/"+name+".tmpl", nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := writeFile(filepath.Join(dir, name), b); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "jsii-node")
}

// nodeOnPath skips the test when there is no node to start.
func nodeOnPath(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("no node on PATH")
	}
}

// fakeRuntime writes a jsii runtime as jsii-runtime-go extracts it:
// bin/jsii-runtime.js (the launcher) and lib/program.js (the kernel).
func fakeRuntime(t *testing.T, launcher, kernel string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range map[string]string{"bin/jsii-runtime.js": launcher, "lib/program.js": kernel} {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "bin", "jsii-runtime.js")
}

// TestJSIINodeStartsTheKernel runs the script as jsii-runtime-go does (one
// argument, the launcher; requests on stdin, answers on stdout, console
// output on stderr) over a kernel that, like jsii's, reads and writes its
// API channel on fd 3, and also logs and, before it reads the request,
// starts a process that reads its stdin and writes to its stdout.
func TestJSIINodeStartsTheKernel(t *testing.T) {
	nodeOnPath(t)
	kernel := `// new SyncStdio({errorFD:2,readFD:3,writeFD:3})
const fs = require('fs');
require('child_process').spawnSync('sh', ['-c', 'echo child output; cat'], {stdio: 'inherit'});
const buf = Buffer.alloc(64);
const n = fs.readSync(3, buf, 0, buf.length, null);
console.log('log line');
process.stderr.write('error ');
process.stderr.write(new Uint8Array([108, 105, 110, 101, 10]));
fs.writeSync(3, 'answer to ' + buf.subarray(0, n).toString());
`
	launcher := fakeRuntime(t, `console.log("the launcher ran")`, kernel)
	cmd := exec.Command(jsiiNode(t), launcher)
	cmd.Stdin = strings.NewReader("request\n")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\nstderr:\n%s", err, stderr.String())
	}
	// The API channel carries the answer and nothing else: not the console,
	// not the child's output, and the child could not read the request.
	if got, want := stdout.String(), "answer to request\n"; got != want {
		t.Errorf("stdout (the API channel) = %q, want %q", got, want)
	}
	var console = map[string]string{}
	var raw []string
	sc := bufio.NewScanner(&stderr)
	for sc.Scan() {
		var m map[string]string
		if json.Unmarshal(sc.Bytes(), &m) != nil {
			raw = append(raw, sc.Text())
			continue
		}
		for k, v := range m {
			b, err := base64.StdEncoding.DecodeString(v)
			if err != nil {
				t.Fatalf("stderr line %q: %v", sc.Text(), err)
			}
			console[k] += string(b)
		}
	}
	if console["stdout"] != "log line\n" || console["stderr"] != "error line\n" {
		t.Errorf("console output as the launcher sends it = %q, want stdout %q and stderr %q", console, "log line\n", "error line\n")
	}
	if strings.Join(raw, "\n") != "child output" {
		t.Errorf("other stderr lines = %q, want the child's output alone", raw)
	}
}

// TestJSIINodeOtherwiseRunsTheLauncher: a kernel whose API channel is not
// fd 3, a script without its jsii-stdio.js, or any command other than the
// launcher, runs as jsii asked.
func TestJSIINodeOtherwiseRunsTheLauncher(t *testing.T) {
	nodeOnPath(t)
	launcher := fakeRuntime(t, `console.log("the launcher ran")`, `// new SyncStdio({errorFD:2,readFD:0,writeFD:1})`)
	out, err := exec.Command(jsiiNode(t), launcher).CombinedOutput()
	if err != nil || string(out) != "the launcher ran\n" {
		t.Errorf("with another kernel: %v, output %q, want the launcher's", err, out)
	}
	// Without jsii-stdio.js beside it (a script copied alone).
	direct := fakeRuntime(t, `console.log("the launcher ran")`, `// new SyncStdio({errorFD:2,readFD:3,writeFD:3})`)
	alone := filepath.Join(t.TempDir(), "jsii-node")
	script, err := os.ReadFile(jsiiNode(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := writeFile(alone, script); err != nil {
		t.Fatal(err)
	}
	out, err = exec.Command(alone, direct).CombinedOutput()
	if err != nil || string(out) != "the launcher ran\n" {
		t.Errorf("without jsii-stdio.js: %v, output %q, want the launcher's", err, out)
	}
	out, err = exec.Command(jsiiNode(t), "-e", `console.log(process.argv.length)`).CombinedOutput()
	if err != nil || string(out) != "1\n" {
		t.Errorf("node -e: %v, output %q, want 1", err, out)
	}
}

// TestJSIINodeRealKernel speaks jsii's protocol to the kernel of the
// jsii-runtime-go this module requires, through the script: the kernel
// is started directly (the script's process is the kernel, so jsii's
// launcher and its relaying are really gone), greets, and answers.
func TestJSIINodeRealKernel(t *testing.T) {
	nodeOnPath(t)
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/jsii-runtime-go").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	// Where jsii-runtime-go's embedded runtime comes from; it extracts the
	// same files into a temporary directory.
	resources := filepath.Join(strings.TrimSpace(string(out)), "internal", "embedded", "resources")
	cmd := exec.Command(jsiiNode(t), filepath.Join(resources, "bin", "jsii-runtime.js"))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdoutPipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	answers := bufio.NewReader(stdoutPipe)
	hello, err := answers.ReadString('\n')
	if err != nil || !strings.HasPrefix(hello, `{"hello":"@jsii/runtime@`) {
		t.Fatalf("handshake %q, %v; stderr:\n%s", hello, err, stderr.String())
	}
	// The process that greeted has exec'd: it is the kernel (read where
	// /proc shows a process's command line).
	if runtime.GOOS == "linux" {
		cmdline, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(cmd.Process.Pid), "cmdline"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(cmdline, []byte("/lib/program.js")) {
			t.Errorf("the script's process runs %q, want jsii's kernel (lib/program.js) itself", bytes.ReplaceAll(cmdline, []byte{0}, []byte{' '}))
		}
	}
	if _, err := stdin.Write([]byte(`{"api":"stats"}` + "\n")); err != nil {
		t.Fatal(err)
	}
	stats, err := answers.ReadString('\n')
	if err != nil || stats != `{"ok":{"objectCount":0}}`+"\n" {
		t.Fatalf("stats answer %q, %v; stderr:\n%s", stats, err, stderr.String())
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Errorf("kernel exit: %v; stderr:\n%s", err, stderr.String())
	}
}
