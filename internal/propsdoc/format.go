package propsdoc

import (
	"bytes"
	"go/format"
	"go/token"
)

func formatNode(b *bytes.Buffer, fset *token.FileSet, node any) error {
	return format.Node(b, fset, node)
}
