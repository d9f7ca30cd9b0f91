// go run gosumdb-static.go NAME GOSUM_FILE OUTDIR: signs a fresh checksum tree and writes what a sumdb serves.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/mod/module"
	"golang.org/x/mod/sumdb"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func main() {
	name, sumFile, out := os.Args[1], os.Args[2], os.Args[3]
	f, err := os.Open(sumFile)
	check(err)
	records := map[string][]byte{} // "module@version" -> its go.sum lines
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fs := strings.Fields(sc.Text()); len(fs) == 3 {
			key := fs[0] + "@" + strings.TrimSuffix(fs[1], "/go.mod")
			records[key] = append(records[key], []byte(sc.Text()+"\n")...)
		}
	}
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	check(err)
	srv := sumdb.NewTestServer(skey, func(path, vers string) ([]byte, error) {
		if r, ok := records[path+"@"+vers]; ok {
			return r, nil
		}
		return nil, fmt.Errorf("unknown %s@%s", path, vers)
	})
	keys := make([]string, 0, len(records))
	for k := range records {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var mods []module.Version
	for _, k := range keys {
		i := strings.LastIndex(k, "@")
		m := module.Version{Path: k[:i], Version: k[i+1:]}
		_, err := srv.Lookup(context.Background(), m) // adds the record to the tree
		check(err)
		mods = append(mods, m)
	}
	h := sumdb.NewServer(srv)
	get := func(p string) { // store the server's answer for p as a static file
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", p, nil))
		if rec.Code != 200 {
			panic(fmt.Sprintf("%s -> %d %s", p, rec.Code, rec.Body.String()))
		}
		dst := filepath.Join(out, filepath.FromSlash(strings.TrimPrefix(p, "/")))
		check(os.MkdirAll(filepath.Dir(dst), 0o755))
		check(os.WriteFile(dst, rec.Body.Bytes(), 0o644))
	}
	get("/latest")
	for _, m := range mods {
		ep, err := module.EscapePath(m.Path)
		check(err)
		ev, err := module.EscapeVersion(m.Version)
		check(err)
		get("/lookup/" + ep + "@" + ev)
	}
	for _, t := range tlog.NewTiles(8, 0, int64(len(mods))) {
		get("/" + t.Path())
		if t.L == 0 {
			t.L = -1 // the data tile beside each level-0 tile
			get("/" + t.Path())
		}
	}
	check(os.WriteFile(filepath.Join(out, "supported"), nil, 0o644))
	check(os.WriteFile(filepath.Join(out, "vkey"), []byte(vkey+"\n"), 0o644))
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}
