// Command pulumi-resource-command is the e2e lab's stand-in for the Pulumi
// "command" provider (npm @pulumi/command@1.2.1). The upstream provider cannot
// be fetched on the lab machines (the Go module proxy refuses pulumi-command
// by commit, and it has no tagged Go module), so this small provider,
// written for the lab, implements the resource contract of the 1.2.1 SDK:
//
//	command:local:Command       create/update/delete, triggers, environment, dir,
//	                             interpreter, stdin, logging, addPreviousOutputInEnv
//	command:remote:Command      the same over SSH (connection: host, port, user,
//	                             privateKey, privateKeyPassword, password,
//	                             agentSocketPath, hostKey, proxy, dialErrorLimit,
//	                             perDialTimeout)
//	command:remote:CopyToRemote FileAsset, StringAsset, FileArchive (directory or file)
//	command:remote:CopyFile     localPath -> remotePath (deprecated upstream)
//	command:local:run           invoke
//
// Not supported (rejected with an error): local assetPaths/archivePaths,
// remote assets (URLs).  Outputs stdout/stderr have one trailing newline
// trimmed.  Remote environment variables are sent with SSH "env" requests,
// which sshd accepts only for names listed in AcceptEnv (as upstream).
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"archive/tar"

	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// Version is set with -ldflags "-X main.Version=1.2.1".
var Version = "1.2.1"

const (
	tLocalCommand  = "command:local:Command"
	tRemoteCommand = "command:remote:Command"
	tCopyToRemote  = "command:remote:CopyToRemote"
	tCopyFile      = "command:remote:CopyFile"
)

// inputKeys are the properties compared by Diff, per resource type.
var inputKeys = map[string][]string{
	tLocalCommand: {"create", "update", "delete", "environment", "dir", "interpreter", "stdin", "triggers",
		"logging", "addPreviousOutputInEnv", "assetPaths", "archivePaths"},
	tRemoteCommand: {"create", "update", "delete", "environment", "stdin", "triggers", "logging",
		"addPreviousOutputInEnv", "connection"},
	tCopyToRemote: {"source", "remotePath", "triggers", "connection"},
	tCopyFile:     {"localPath", "remotePath", "triggers", "connection"},
}

type server struct {
	pulumirpc.UnimplementedResourceProviderServer
	host *provider.HostClient
}

func main() {
	if len(os.Args) > 1 && (os.Args[1] == "--version" || os.Args[1] == "-version") {
		fmt.Println(Version)
		return
	}
	err := provider.Main("command", func(h *provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return &server{host: h}, nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func unmarshal(s *structpb.Struct, keepUnknowns bool) (resource.PropertyMap, error) {
	return plugin.UnmarshalProperties(s, plugin.MarshalOptions{
		KeepUnknowns: keepUnknowns, SkipNulls: true, KeepSecrets: false,
	})
}

func marshal(m resource.PropertyMap) (*structpb.Struct, error) {
	return plugin.MarshalProperties(m, plugin.MarshalOptions{KeepUnknowns: true, SkipNulls: true})
}

func (s *server) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: Version}, nil
}

func (s *server) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{Schema: `{"name":"command","version":"` + Version + `"}`}, nil
}

func (s *server) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (s *server) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (s *server) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	return &pulumirpc.ConfigureResponse{SupportsPreview: true}, nil
}

func (s *server) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func (s *server) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	news, err := unmarshal(req.GetNews(), true)
	if err != nil {
		return nil, err
	}
	var failures []*pulumirpc.CheckFailure
	fail := func(p, r string) { failures = append(failures, &pulumirpc.CheckFailure{Property: p, Reason: r}) }
	switch req.GetType() {
	case tLocalCommand:
		for _, k := range []string{"assetPaths", "archivePaths"} {
			if v, ok := news[resource.PropertyKey(k)]; ok && !v.IsNull() {
				fail(k, k+" is not supported by the lab command provider")
			}
		}
	case tRemoteCommand, tCopyToRemote, tCopyFile:
		c, ok := news["connection"]
		if !ok || c.IsNull() {
			fail("connection", "missing required property 'connection'")
		} else if c.IsObject() {
			if h, ok := c.ObjectValue()["host"]; !ok || h.IsNull() {
				fail("connection.host", "missing required property 'connection.host'")
			}
		}
		if req.GetType() != tRemoteCommand {
			if v, ok := news["remotePath"]; !ok || v.IsNull() {
				fail("remotePath", "missing required property 'remotePath'")
			}
		}
	default:
		return nil, fmt.Errorf("unknown resource type %q", req.GetType())
	}
	return &pulumirpc.CheckResponse{Inputs: req.GetNews(), Failures: failures}, nil
}

func (s *server) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	oldsStruct := req.GetOldInputs()
	if oldsStruct == nil {
		oldsStruct = req.GetOlds()
	}
	olds, err := unmarshal(oldsStruct, true)
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews(), true)
	if err != nil {
		return nil, err
	}
	ignore := map[string]bool{}
	for _, k := range req.GetIgnoreChanges() {
		ignore[k] = true
	}
	var diffs, replaces []string
	detailed := map[string]*pulumirpc.PropertyDiff{}
	for _, k := range inputKeys[req.GetType()] {
		if ignore[k] {
			continue
		}
		o, oOK := olds[resource.PropertyKey(k)]
		n, nOK := news[resource.PropertyKey(k)]
		if oOK && o.IsNull() {
			oOK = false
		}
		if nOK && n.IsNull() {
			nOK = false
		}
		if !oOK && !nOK {
			continue
		}
		if oOK && nOK && !n.ContainsUnknowns() && o.DeepEquals(n) {
			continue
		}
		kind := pulumirpc.PropertyDiff_UPDATE
		if !oOK {
			kind = pulumirpc.PropertyDiff_ADD
		} else if !nOK {
			kind = pulumirpc.PropertyDiff_DELETE
		}
		if k == "triggers" {
			replaces = append(replaces, k)
			kind += 1 // *_REPLACE variants follow their plain kind
		}
		diffs = append(diffs, k)
		detailed[k] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
	}
	changes := pulumirpc.DiffResponse_DIFF_NONE
	if len(diffs) > 0 {
		changes = pulumirpc.DiffResponse_DIFF_SOME
	}
	return &pulumirpc.DiffResponse{Changes: changes, Diffs: diffs, Replaces: replaces,
		DetailedDiff: detailed, HasDetailedDiff: true}, nil
}

func newID(name string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	if name == "" {
		name = "command"
	}
	return name + "-" + hex.EncodeToString(b)
}

func (s *server) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	ins, err := unmarshal(req.GetProperties(), req.GetPreview())
	if err != nil {
		return nil, err
	}
	outs, err := s.apply(ctx, req.GetType(), resource.URN(req.GetUrn()), "create", ins, nil, req.GetPreview())
	if err != nil {
		return nil, err
	}
	props, err := marshal(outs)
	if err != nil {
		return nil, err
	}
	id := ""
	if !req.GetPreview() {
		id = newID(req.GetName())
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: props}, nil
}

func (s *server) Update(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	ins, err := unmarshal(req.GetNews(), req.GetPreview())
	if err != nil {
		return nil, err
	}
	olds, err := unmarshal(req.GetOlds(), true)
	if err != nil {
		return nil, err
	}
	outs, err := s.apply(ctx, req.GetType(), resource.URN(req.GetUrn()), "update", ins, olds, req.GetPreview())
	if err != nil {
		return nil, err
	}
	props, err := marshal(outs)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: props}, nil
}

func (s *server) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	inputs := req.GetInputs()
	if inputs == nil {
		inputs = req.GetProperties()
	}
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: inputs}, nil
}

func (s *server) Delete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	olds, err := unmarshal(req.GetProperties(), false)
	if err != nil {
		return nil, err
	}
	switch req.GetType() {
	case tLocalCommand, tRemoteCommand:
		cmd := str(olds, "delete")
		if cmd == "" {
			return &emptypb.Empty{}, nil
		}
		env := envMap(olds)
		if boolOr(olds, "addPreviousOutputInEnv", true) {
			env["PULUMI_COMMAND_STDOUT"] = str(olds, "stdout")
			env["PULUMI_COMMAND_STDERR"] = str(olds, "stderr")
		}
		if _, _, err := s.run(ctx, req.GetType(), resource.URN(req.GetUrn()), cmd, env, olds); err != nil {
			return nil, err
		}
	}
	// CopyToRemote/CopyFile leave the copied files in place on delete (as upstream).
	return &emptypb.Empty{}, nil
}

func (s *server) Invoke(ctx context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	if req.GetTok() != "command:local:run" {
		return nil, fmt.Errorf("unknown function %q", req.GetTok())
	}
	args, err := unmarshal(req.GetArgs(), false)
	if err != nil {
		return nil, err
	}
	stdout, stderr, err := s.run(ctx, tLocalCommand, "", str(args, "command"), envMap(args), args)
	if err != nil {
		return nil, err
	}
	outs := args.Copy()
	outs["stdout"] = resource.NewStringProperty(stdout)
	outs["stderr"] = resource.NewStringProperty(stderr)
	ret, err := marshal(outs)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.InvokeResponse{Return: ret}, nil
}

// apply runs a create ("create") or update ("update") and returns the new state.
func (s *server) apply(ctx context.Context, typ string, urn resource.URN, op string,
	ins, olds resource.PropertyMap, preview bool,
) (resource.PropertyMap, error) {
	outs := ins.Copy()
	switch typ {
	case tLocalCommand, tRemoteCommand:
		if preview {
			if olds == nil || !onlyDeleteChanged(ins, olds) {
				outs["stdout"] = resource.MakeComputed(resource.NewStringProperty(""))
				outs["stderr"] = resource.MakeComputed(resource.NewStringProperty(""))
			} else {
				outs["stdout"], outs["stderr"] = olds["stdout"], olds["stderr"]
			}
			return outs, nil
		}
		cmd := str(ins, "create")
		if op == "update" {
			if onlyDeleteChanged(ins, olds) {
				outs["stdout"], outs["stderr"] = olds["stdout"], olds["stderr"]
				return outs, nil
			}
			if u := str(ins, "update"); u != "" {
				cmd = u
			}
		}
		stdout, stderr := "", ""
		if cmd != "" {
			env := envMap(ins)
			if op == "update" && boolOr(ins, "addPreviousOutputInEnv", true) {
				env["PULUMI_COMMAND_STDOUT"] = str(olds, "stdout")
				env["PULUMI_COMMAND_STDERR"] = str(olds, "stderr")
			}
			var err error
			if stdout, stderr, err = s.run(ctx, typ, urn, cmd, env, ins); err != nil {
				return nil, err
			}
		}
		outs["stdout"] = resource.NewStringProperty(stdout)
		outs["stderr"] = resource.NewStringProperty(stderr)
		return outs, nil
	case tCopyToRemote, tCopyFile:
		if preview {
			return outs, nil
		}
		return outs, s.copy(ctx, typ, ins)
	}
	return nil, fmt.Errorf("unknown resource type %q", typ)
}

func onlyDeleteChanged(ins, olds resource.PropertyMap) bool {
	if olds == nil {
		return false
	}
	for _, k := range []string{"create", "update", "environment", "dir", "interpreter", "stdin", "triggers", "connection"} {
		o, n := olds[resource.PropertyKey(k)], ins[resource.PropertyKey(k)]
		if o.IsNull() && n.IsNull() {
			continue
		}
		if n.ContainsUnknowns() || !o.DeepEquals(n) {
			return false
		}
	}
	return true
}

// ---- helpers over property maps ----

func str(m resource.PropertyMap, k string) string {
	v, ok := m[resource.PropertyKey(k)]
	if !ok {
		return ""
	}
	if v.IsSecret() {
		v = v.SecretValue().Element
	}
	if v.IsString() {
		return v.StringValue()
	}
	if v.IsNumber() {
		return strconv.FormatFloat(v.NumberValue(), 'f', -1, 64)
	}
	return ""
}

func num(m resource.PropertyMap, k string, def float64) float64 {
	v, ok := m[resource.PropertyKey(k)]
	if ok && v.IsNumber() {
		return v.NumberValue()
	}
	return def
}

func boolOr(m resource.PropertyMap, k string, def bool) bool {
	v, ok := m[resource.PropertyKey(k)]
	if ok && v.IsBool() {
		return v.BoolValue()
	}
	return def
}

func envMap(m resource.PropertyMap) map[string]string {
	env := map[string]string{}
	if v, ok := m["environment"]; ok && v.IsObject() {
		for k, e := range v.ObjectValue() {
			env[string(k)] = str(resource.PropertyMap{"v": e}, "v")
		}
	}
	return env
}

func strList(m resource.PropertyMap, k string) []string {
	var out []string
	if v, ok := m[resource.PropertyKey(k)]; ok && v.IsArray() {
		for _, e := range v.ArrayValue() {
			out = append(out, str(resource.PropertyMap{"v": e}, "v"))
		}
	}
	return out
}

func object(m resource.PropertyMap, k string) resource.PropertyMap {
	v, ok := m[resource.PropertyKey(k)]
	if !ok {
		return nil
	}
	if v.IsSecret() {
		v = v.SecretValue().Element
	}
	if v.IsObject() {
		return v.ObjectValue()
	}
	return nil
}

// ---- running commands ----

// lineLogger forwards complete lines to the engine as ephemeral status messages.
type lineLogger struct {
	s   *server
	ctx context.Context
	urn resource.URN
	sev diag.Severity
	on  bool
	mu  sync.Mutex
	buf bytes.Buffer
	all bytes.Buffer
}

func (l *lineLogger) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.all.Write(p)
	if !l.on || l.s.host == nil {
		return len(p), nil
	}
	l.buf.Write(p)
	for {
		i := bytes.IndexByte(l.buf.Bytes(), '\n')
		if i < 0 {
			break
		}
		line := string(l.buf.Next(i + 1))
		_ = l.s.host.LogStatus(l.ctx, l.sev, l.urn, strings.TrimRight(line, "\r\n"))
	}
	return len(p), nil
}

func (l *lineLogger) text() string { return strings.TrimSuffix(l.all.String(), "\n") }

func (s *server) loggers(ctx context.Context, urn resource.URN, props resource.PropertyMap) (*lineLogger, *lineLogger) {
	mode := str(props, "logging")
	if mode == "" {
		mode = "stdoutAndStderr"
	}
	out := &lineLogger{s: s, ctx: ctx, urn: urn, sev: diag.Info, on: mode == "stdout" || mode == "stdoutAndStderr"}
	errl := &lineLogger{s: s, ctx: ctx, urn: urn, sev: diag.Info, on: mode == "stderr" || mode == "stdoutAndStderr"}
	return out, errl
}

func (s *server) run(ctx context.Context, typ string, urn resource.URN, cmd string, env map[string]string,
	props resource.PropertyMap,
) (string, string, error) {
	stdout, stderr := s.loggers(ctx, urn, props)
	var err error
	if typ == tLocalCommand {
		err = runLocal(ctx, cmd, env, props, stdout, stderr)
	} else {
		err = runRemote(ctx, cmd, env, props, stdout, stderr)
	}
	if err != nil {
		return "", "", fmt.Errorf("%w: running %q:\n%s\n%s", err, cmd, stdout.text(), stderr.text())
	}
	return stdout.text(), stderr.text(), nil
}

func runLocal(ctx context.Context, cmd string, env map[string]string, props resource.PropertyMap,
	stdout, stderr io.Writer,
) error {
	interp := strList(props, "interpreter")
	if len(interp) == 0 {
		interp = []string{"/bin/sh", "-c"}
	}
	c := exec.CommandContext(ctx, interp[0], append(interp[1:], cmd)...)
	c.Dir = str(props, "dir")
	c.Env = os.Environ()
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		c.Env = append(c.Env, k+"="+env[k])
	}
	if in := str(props, "stdin"); in != "" {
		c.Stdin = strings.NewReader(in)
	}
	c.Stdout, c.Stderr = stdout, stderr
	return c.Run()
}

func runRemote(ctx context.Context, cmd string, env map[string]string, props resource.PropertyMap,
	stdout, stderr io.Writer,
) error {
	client, err := dial(ctx, object(props, "connection"))
	if err != nil {
		return err
	}
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		return err
	}
	defer sess.Close()
	for k, v := range env {
		_ = sess.Setenv(k, v) // honoured only for names in the server's AcceptEnv
	}
	if in := str(props, "stdin"); in != "" {
		sess.Stdin = strings.NewReader(in)
	}
	sess.Stdout, sess.Stderr = stdout, stderr
	return sess.Run(cmd)
}

// ---- SSH ----

func clientConfig(conn resource.PropertyMap) (*ssh.ClientConfig, error) {
	user := str(conn, "user")
	if user == "" {
		user = "root"
	}
	cfg := &ssh.ClientConfig{User: user, HostKeyCallback: ssh.InsecureIgnoreHostKey()} //nolint:gosec // as upstream when hostKey is unset
	cfg.Timeout = time.Duration(num(conn, "perDialTimeout", 15) * float64(time.Second))
	if hk := str(conn, "hostKey"); hk != "" {
		pk, _, _, _, err := ssh.ParseAuthorizedKey([]byte(hk))
		if err != nil {
			return nil, fmt.Errorf("connection.hostKey: %w", err)
		}
		cfg.HostKeyCallback = ssh.FixedHostKey(pk)
	}
	if key := str(conn, "privateKey"); key != "" {
		var signer ssh.Signer
		var err error
		if pw := str(conn, "privateKeyPassword"); pw != "" {
			signer, err = ssh.ParsePrivateKeyWithPassphrase([]byte(key), []byte(pw))
		} else {
			signer, err = ssh.ParsePrivateKey([]byte(key))
		}
		if err != nil {
			return nil, fmt.Errorf("connection.privateKey: %w", err)
		}
		cfg.Auth = append(cfg.Auth, ssh.PublicKeys(signer))
	}
	if pw := str(conn, "password"); pw != "" {
		cfg.Auth = append(cfg.Auth, ssh.Password(pw),
			ssh.KeyboardInteractive(func(_, _ string, qs []string, _ []bool) ([]string, error) {
				a := make([]string, len(qs))
				for i := range a {
					a[i] = pw
				}
				return a, nil
			}))
	}
	sock := str(conn, "agentSocketPath")
	if sock == "" {
		sock = os.Getenv("SSH_AUTH_SOCK")
	}
	if sock != "" {
		if c, err := net.Dial("unix", sock); err == nil {
			cfg.Auth = append(cfg.Auth, ssh.PublicKeysCallback(agent.NewClient(c).Signers))
		}
	}
	return cfg, nil
}

func hostPort(conn resource.PropertyMap) string {
	return net.JoinHostPort(str(conn, "host"), strconv.Itoa(int(num(conn, "port", 22))))
}

// withRetries dials up to dialErrorLimit times (-1: unlimited), as upstream.
func withRetries[T any](ctx context.Context, conn resource.PropertyMap, what string, f func() (T, error)) (T, error) {
	limit := int(num(conn, "dialErrorLimit", 10))
	var zero T
	var last error
	for i := 1; limit < 0 || i <= limit; i++ {
		v, err := f()
		if err == nil {
			return v, nil
		}
		last = err
		if limit >= 0 && i == limit {
			break
		}
		select {
		case <-ctx.Done():
			return zero, ctx.Err()
		case <-time.After(time.Duration(min(i, 5)) * time.Second):
		}
	}
	return zero, fmt.Errorf("failed to dial %s after %d attempts: %w", what, limit, last)
}

func dial(ctx context.Context, conn resource.PropertyMap) (*ssh.Client, error) {
	if conn == nil {
		return nil, fmt.Errorf("missing connection")
	}
	cfg, err := clientConfig(conn)
	if err != nil {
		return nil, err
	}
	target := hostPort(conn)
	proxy := object(conn, "proxy")
	if proxy == nil {
		return withRetries(ctx, conn, target, func() (*ssh.Client, error) { return ssh.Dial("tcp", target, cfg) })
	}
	pcfg, err := clientConfig(proxy)
	if err != nil {
		return nil, err
	}
	pclient, err := withRetries(ctx, proxy, hostPort(proxy), func() (*ssh.Client, error) {
		return ssh.Dial("tcp", hostPort(proxy), pcfg)
	})
	if err != nil {
		return nil, err
	}
	return withRetries(ctx, conn, target, func() (*ssh.Client, error) {
		nc, err := pclient.Dial("tcp", target)
		if err != nil {
			return nil, err
		}
		c, chans, reqs, err := ssh.NewClientConn(nc, target, cfg)
		if err != nil {
			nc.Close()
			return nil, err
		}
		return ssh.NewClient(c, chans, reqs), nil
	})
}

// ---- copying ----

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func (s *server) copy(ctx context.Context, typ string, ins resource.PropertyMap) error {
	remotePath := str(ins, "remotePath")
	var (
		data    []byte
		srcDir  string
		srcName string
	)
	if typ == tCopyFile {
		p := str(ins, "localPath")
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		data, srcName = b, filepath.Base(p)
	} else {
		src := ins["source"]
		if src.IsSecret() {
			src = src.SecretValue().Element
		}
		switch {
		case src.IsAsset():
			a := src.AssetValue()
			switch {
			case a.IsText():
				data, srcName = []byte(a.Text), path.Base(remotePath)
			case a.IsPath():
				b, err := os.ReadFile(a.Path)
				if err != nil {
					return err
				}
				data, srcName = b, filepath.Base(a.Path)
			default:
				return fmt.Errorf("source: only FileAsset and StringAsset assets are supported")
			}
		case src.IsArchive():
			a := src.ArchiveValue()
			if !a.IsPath() {
				return fmt.Errorf("source: only FileArchive archives are supported")
			}
			st, err := os.Stat(a.Path)
			if err != nil {
				return err
			}
			srcName = filepath.Base(filepath.Clean(a.Path))
			if st.IsDir() {
				srcDir = a.Path
			} else if data, err = os.ReadFile(a.Path); err != nil {
				return err
			}
		default:
			return fmt.Errorf("source must be an asset or an archive")
		}
	}
	client, err := dial(ctx, object(ins, "connection"))
	if err != nil {
		return err
	}
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		return err
	}
	defer sess.Close()
	var stderr bytes.Buffer
	sess.Stderr = &stderr
	rp, name := shellQuote(remotePath), shellQuote(srcName)
	var script string
	if srcDir == "" {
		sess.Stdin = bytes.NewReader(data)
		script = fmt.Sprintf(`set -e; P=%s; if [ -d "$P" ]; then P="$P"/%s; fi; mkdir -p "$(dirname "$P")"; cat > "$P"`, rp, name)
	} else {
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(writeTar(pw, srcDir)) }()
		sess.Stdin = pr
		script = fmt.Sprintf(`set -e; P=%s; if [ -d "$P" ]; then P="$P"/%s; elif [ -e "$P" ]; then echo "$P exists and is not a directory" >&2; exit 1; fi; mkdir -p "$P"; tar -x -f - -C "$P"`, rp, name)
	}
	if err := sess.Run(script); err != nil {
		return fmt.Errorf("copy to %s:%s: %w: %s", str(object(ins, "connection"), "host"), remotePath, err, stderr.String())
	}
	return nil
}

func writeTar(w io.Writer, dir string) error {
	tw := tar.NewWriter(w)
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil || rel == "." {
			return err
		}
		link := ""
		if fi.Mode()&os.ModeSymlink != 0 {
			if link, err = os.Readlink(p); err != nil {
				return err
			}
		}
		h, err := tar.FileInfoHeader(fi, link)
		if err != nil {
			return err
		}
		h.Name = filepath.ToSlash(rel)
		h.Uid, h.Gid, h.Uname, h.Gname = 0, 0, "root", "root"
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if fi.Mode().IsRegular() {
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = io.Copy(tw, f)
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	return tw.Close()
}
