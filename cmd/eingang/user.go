package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/eingang/eingang/directory"
)

// cmdUser adds a local account: eingang user add.
func cmdUser(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "add" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(stdout, userUsage)
			return 0
		}
		fmt.Fprint(stderr, userUsage)
		return 2
	}
	fl := newFlags("user add", userUsage, stderr)
	name := fl.String("name", "", "the person's login name (required), unique in the directory")
	municipality := fl.String("municipality", "", "the municipality's id; empty for an operator")
	role := fl.String("role", "clerk", "clerk or auditor (of a municipality), operator (without one)")
	dirFile := fl.String("directory", "", "write the account into this directory file (checked whole, replaced atomically; a running gateway reloads it); without it the entry is printed")
	if code := parseFlags(fl, args[1:], false); code >= 0 {
		return code
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "eingang user add: %v\n", err)
		return 1
	}
	if err := directory.CheckAccountName(*name); err != nil {
		return fail(err)
	}
	switch {
	case *role == "operator" && *municipality != "":
		return fail(errors.New("an operator belongs to no municipality: leave out --municipality"))
	case (*role == "clerk" || *role == "auditor") && *municipality == "":
		return fail(fmt.Errorf("a %s needs --municipality", *role))
	case *role != "clerk" && *role != "auditor" && *role != "operator":
		return fail(fmt.Errorf("role %q: want clerk, auditor or operator", *role))
	}
	password, err := readPassword(stdin, stderr)
	if err != nil {
		return fail(err)
	}
	hash, err := directory.HashPassword(password)
	if err != nil {
		return fail(err)
	}
	acc := directory.Account{Name: *name, Argon2id: hash}
	if *role != "operator" {
		acc.Role = *role
	}
	if *dirFile == "" {
		where := "operators:\n  accounts:"
		if *municipality != "" {
			where = fmt.Sprintf("municipalities:\n  - id: %s\n    accounts:", *municipality)
		}
		var node yaml.Node
		if err := node.Encode(acc); err != nil {
			return fail(err)
		}
		node.Style = yaml.FlowStyle
		entry, err := yaml.Marshal(&node)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "# Add to the directory, under\n# %s\n- %s", strings.ReplaceAll(where, "\n", "\n# "), entry)
		return 0
	}
	if err := addAccount(*dirFile, *municipality, acc); err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "added %s (%s) to %s\n", acc.Name, *role, *dirFile)
	return 0
}

const userUsage = `usage: eingang user add --name NAME [--municipality ID] [--role clerk|auditor|operator] [--directory FILE]

Adds a local account: a person who logs in to the pages with a name and a
password, for setups without an identity provider. The password is read
from standard input (the first line), or asked for twice where standard
input is a terminal; only its argon2id hash goes into the directory.
Without --directory the entry is printed, to paste under the
municipality's accounts (or the operators'); with it the directory file
gets it, checked whole before it is replaced.
`

// readPassword reads the password: from a terminal twice without echo,
// else the first line of r.
func readPassword(r io.Reader, prompt io.Writer) (string, error) {
	if f, ok := r.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			restore := noEcho(f)
			defer restore()
			in := bufio.NewReader(f)
			ask := func(q string) (string, error) {
				fmt.Fprint(prompt, q)
				line, err := in.ReadString('\n')
				fmt.Fprintln(prompt)
				return strings.TrimRight(line, "\r\n"), err
			}
			p1, err := ask("Password: ")
			if err != nil {
				return "", fmt.Errorf("read password: %w", err)
			}
			p2, err := ask("Again: ")
			if err != nil {
				return "", fmt.Errorf("read password: %w", err)
			}
			if p1 != p2 {
				return "", errors.New("the passwords differ")
			}
			return p1, nil
		}
	}
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password on standard input")
	}
	return line, nil
}

// addAccount writes acc into the directory file under the municipality's
// accounts (the operators' where municipality is ""), keeping the rest of
// the file and its comments, and replaces the file only with a directory
// that loads.
func addAccount(path, municipality string, acc directory.Account) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("directory: %w", err)
	}
	if _, err := directory.Parse(data); err != nil {
		return fmt.Errorf("directory %s as it is: %w", path, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 {
		return fmt.Errorf("directory %s: %v", path, err)
	}
	holder, err := accountHolder(doc.Content[0], municipality)
	if err != nil {
		return fmt.Errorf("directory %s: %w", path, err)
	}
	var entry yaml.Node
	if err := entry.Encode(acc); err != nil {
		return err
	}
	entry.Style = yaml.FlowStyle
	list := mappingValue(holder, "accounts")
	if list == nil {
		list = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		holder.Content = append(holder.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "accounts"}, list)
	}
	list.Content = append(list.Content, &entry)
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return err
	}
	enc.Close()
	if _, err := directory.Parse(out.Bytes()); err != nil {
		return fmt.Errorf("directory %s with the account: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".directory-*")
	if err != nil {
		return fmt.Errorf("directory: %w", err)
	}
	defer os.Remove(tmp.Name())
	if fi, err := os.Stat(path); err == nil {
		tmp.Chmod(fi.Mode().Perm())
	}
	if _, err := tmp.Write(out.Bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("directory: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("directory: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("directory: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("directory: %w", err)
	}
	return nil
}

// accountHolder finds the mapping that holds the accounts: the
// municipality's entry, or operators (made where missing).
func accountHolder(root *yaml.Node, municipality string) (*yaml.Node, error) {
	if municipality == "" {
		ops := mappingValue(root, "operators")
		if ops == nil {
			ops = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "operators"}, ops)
		}
		return ops, nil
	}
	if ms := mappingValue(root, "municipalities"); ms != nil {
		for _, m := range ms.Content {
			if id := mappingValue(m, "id"); id != nil && id.Value == municipality {
				m.Style = 0 // a flow mapping grows a block list otherwise
				return m, nil
			}
		}
	}
	return nil, fmt.Errorf("no municipality %q", municipality)
}

// mappingValue returns the value of key in a mapping node, or nil.
func mappingValue(m *yaml.Node, key string) *yaml.Node {
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}
