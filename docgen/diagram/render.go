package diagram

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
)

// Layout, in pixels. Text widths are estimated from character counts, so
// details are set in a monospace font whose advance is 0.6 em in the
// common ones (DejaVu Sans Mono, Menlo, Consolas is narrower); titles use an
// average for bold sans-serif.
const (
	margin      = 24
	lanePad     = 16
	laneHeader  = 34 // from the lane's top to its first row
	colGap      = 120
	rowGap      = 40
	boxPad      = 10
	titleLine   = 18
	detailLine  = 15
	minBoxWidth = 150
	minRowH     = 40

	titleSize  = 13
	detailSize = 11
	labelSize  = 10
	titleEm    = 0.62 // average advance of bold sans-serif, in em
	monoEm     = 0.61

	sansFont = "Helvetica, Arial, sans-serif"
	monoFont = "DejaVu Sans Mono, Menlo, Consolas, monospace"
	ink      = "#16191f"
	softInk  = "#414d5c"
	edgeInk  = "#545b64"
)

// palette is the stroke and fill of each kind of box, after the AWS
// architecture icons' category colours.
var palette = map[kind]struct{ stroke, fill, legend string }{
	analytics:   {"#8c4fff", "#f4efff", "Kinesis, Firehose"},
	compute:     {"#ed7100", "#fff3e6", "Lambda"},
	storage:     {"#3f8624", "#eff6ea", "S3"},
	integration: {"#e7157b", "#fdebf4", "SQS, SNS"},
	monitoring:  {"#0972d3", "#eaf3fc", "CloudWatch"},
	external:    {"#545b64", "#ffffff", "outside the StandardStream"},
}

// Columns of a lane, left to right.
const (
	colProducers = iota
	colStream
	colMiddle // event-source mapping, failure destination, Firehose
	colRight  // consumer, access-log bucket, archive bucket, topic
	columns
)

func textWidth(s string, size int, em float64) int {
	return int(float64(len([]rune(s)))*float64(size)*em + 0.999)
}

func (n *node) width() int {
	w := textWidth(n.title, titleSize, titleEm)
	for _, l := range n.lines {
		w = max(w, textWidth(l, detailSize, monoEm))
	}
	return w + 2*boxPad
}

func (n *node) height() int {
	if n == nil {
		return 0
	}
	return 2*boxPad + titleLine + len(n.lines)*detailLine
}

// box is a placed node.
type box struct {
	x, y, w, h int
}

func (b box) cx() int     { return b.x + b.w/2 }
func (b box) cy() int     { return b.y + b.h/2 }
func (b box) right() int  { return b.x + b.w }
func (b box) bottom() int { return b.y + b.h }

// canvas writes SVG elements.
type canvas struct{ bytes.Buffer }

func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

func (c *canvas) text(x, y int, s string, attrs string) {
	fmt.Fprintf(&c.Buffer, "<text x=\"%d\" y=\"%d\"%s>%s</text>\n", x, y, attrs, esc(s))
}

func (c *canvas) node(n *node, b box) {
	p := palette[n.kind]
	dash := ""
	if n.kind == external {
		dash = ` stroke-dasharray="6 4"`
	}
	fmt.Fprintf(&c.Buffer, "<g class=\"node\">\n<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"6\" fill=\"%s\" stroke=\"%s\" stroke-width=\"1.5\"%s/>\n",
		b.x, b.y, b.w, b.h, p.fill, p.stroke, dash)
	y := b.y + boxPad + titleSize
	c.text(b.x+boxPad, y, n.title, fmt.Sprintf(` font-family="%s" font-size="%d" font-weight="bold" fill="%s"`, sansFont, titleSize, ink))
	y += titleLine - titleSize + detailLine - 3
	for _, l := range n.lines {
		c.text(b.x+boxPad, y, l, fmt.Sprintf(` font-family="%s" font-size="%d" fill="%s" xml:space="preserve"`, monoFont, detailSize, softInk))
		y += detailLine
	}
	c.WriteString("</g>\n")
}

// edge draws an arrow from (x1, y1) to (x2, y2), which share an x or a y,
// with its label above a horizontal arrow or right of a vertical one.
func (c *canvas) edge(x1, y1, x2, y2 int, label string, dashed bool) {
	dash := ""
	if dashed {
		dash = ` stroke-dasharray="5 4"`
	}
	fmt.Fprintf(&c.Buffer, "<g class=\"edge\">\n<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"1.5\"%s marker-end=\"url(#arrow)\"/>\n",
		x1, y1, x2, y2, edgeInk, dash)
	attrs := fmt.Sprintf(` font-family="%s" font-size="%d" fill="%s"`, monoFont, labelSize, edgeInk)
	if y1 == y2 {
		c.text((x1+x2)/2, y1-6, label, attrs+` text-anchor="middle"`)
	} else {
		c.text(x1+6, (y1+y2)/2+labelSize/2-1, label, attrs)
	}
	c.WriteString("</g>\n")
}

// grid is the shared column geometry of all lanes, so boxes line up.
type grid struct {
	colW  [columns]int
	width int // of the whole drawing
}

func newGrid(lanes []lane) grid {
	var g grid
	for i := range g.colW {
		g.colW[i] = minBoxWidth
	}
	widen := func(col int, n *node) {
		if n != nil {
			g.colW[col] = max(g.colW[col], n.width())
		}
	}
	for _, l := range lanes {
		widen(colProducers, l.producers)
		widen(colStream, l.stream)
		for _, n := range []*node{l.mapping, l.failure, l.delivery} {
			widen(colMiddle, n)
		}
		for _, n := range []*node{l.consumer, l.accessLogs, l.archive, l.topic} {
			widen(colRight, n)
		}
	}
	// The alarms span the stream's and the middle column.
	for _, l := range lanes {
		if l.alarms != nil {
			if short := l.alarms.width() - (g.colW[colStream] + colGap + g.colW[colMiddle]); short > 0 {
				g.colW[colMiddle] += short
			}
		}
	}
	g.width = 2*margin + 2*lanePad + (columns-1)*colGap
	for _, w := range g.colW {
		g.width += w
	}
	return g
}

func (g grid) x(col int) int {
	x := margin + lanePad
	for _, w := range g.colW[:col] {
		x += w + colGap
	}
	return x
}

// place puts n in col, centred vertically in the row from y of height h.
func (g grid) place(n *node, col, y, h int) box {
	nh := n.height()
	return box{x: g.x(col), y: y + (h-nh)/2, w: g.colW[col], h: nh}
}

// drawLane draws one lane from top and returns its bottom.
func (c *canvas) drawLane(g grid, l lane, top int) int {
	rowH := [4]int{
		max(minRowH, l.mapping.height(), l.consumer.height()),
		max(minRowH, l.failure.height(), l.accessLogs.height()),
		max(minRowH, l.delivery.height(), l.archive.height()),
		max(minRowH, l.alarms.height(), l.topic.height()),
	}
	// The stream spans the first three rows, so that the consumer's and the
	// archive's arrows leave it horizontally.
	if short := max(l.stream.height(), l.producers.height()) - (rowH[0] + rowH[1] + rowH[2] + 2*rowGap); short > 0 {
		rowH[1] += short
	}
	var rowY [4]int
	rowY[0] = top + laneHeader
	for r := 1; r < 4; r++ {
		rowY[r] = rowY[r-1] + rowH[r-1] + rowGap
	}
	bottom := rowY[3] + rowH[3] + lanePad

	fmt.Fprintf(&c.Buffer, "<g class=\"lane\" id=\"%s\">\n", esc(laneID(l)))
	fmt.Fprintf(&c.Buffer, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"10\" fill=\"#fafbfc\" stroke=\"#d5dbe1\"/>\n",
		margin, top, g.width-2*margin, bottom-top)
	c.text(margin+lanePad, top+22, l.stack+" · "+l.id, fmt.Sprintf(` font-family="%s" font-size="14" font-weight="bold" fill="%s"`, sansFont, ink))

	spanH := rowY[2] + rowH[2] - rowY[0]
	stream := box{x: g.x(colStream), y: rowY[0], w: g.colW[colStream], h: spanH}
	c.node(l.stream, stream)
	producers := g.place(l.producers, colProducers, rowY[0], spanH)
	c.node(l.producers, producers)
	c.edge(producers.right(), stream.cy(), stream.x, stream.cy(), "PutRecords", false)

	if l.mapping != nil {
		esm := g.place(l.mapping, colMiddle, rowY[0], rowH[0])
		c.node(l.mapping, esm)
		read := "GetRecords"
		if l.fanOut {
			read = "SubscribeToShard"
		}
		c.edge(stream.right(), esm.cy(), esm.x, esm.cy(), read, false)
		if l.consumer != nil {
			fn := g.place(l.consumer, colRight, rowY[0], rowH[0])
			c.node(l.consumer, fn)
			c.edge(esm.right(), fn.cy(), fn.x, fn.cy(), "invoke", false)
		}
		if l.failure != nil {
			f := g.place(l.failure, colMiddle, rowY[1], rowH[1])
			c.node(l.failure, f)
			c.edge(esm.cx(), esm.bottom(), f.cx(), f.y, "on failure", false)
			if l.failureLogs && l.accessLogs != nil {
				logs := g.place(l.accessLogs, colRight, rowY[1], rowH[1])
				c.edge(f.right(), logs.cy(), logs.x, logs.cy(), "access logs", true)
			}
		}
	}
	if l.accessLogs != nil {
		c.node(l.accessLogs, g.place(l.accessLogs, colRight, rowY[1], rowH[1]))
	}
	if l.delivery != nil {
		d := g.place(l.delivery, colMiddle, rowY[2], rowH[2])
		c.node(l.delivery, d)
		c.edge(stream.right(), d.cy(), d.x, d.cy(), "GetRecords", false)
		if l.archive != nil {
			a := g.place(l.archive, colRight, rowY[2], rowH[2])
			c.node(l.archive, a)
			c.edge(d.right(), a.cy(), a.x, a.cy(), "PutObject", false)
			if l.archiveLogs && l.accessLogs != nil {
				logs := g.place(l.accessLogs, colRight, rowY[1], rowH[1])
				c.edge(a.cx(), a.y, logs.cx(), logs.bottom(), "access logs", true)
			}
		}
	}
	if l.alarms != nil {
		h := l.alarms.height()
		alarms := box{x: g.x(colStream), y: rowY[3] + (rowH[3]-h)/2, w: g.x(colMiddle) + g.colW[colMiddle] - g.x(colStream), h: h}
		c.node(l.alarms, alarms)
		if l.topic != nil {
			t := g.place(l.topic, colRight, rowY[3], rowH[3])
			c.node(l.topic, t)
			c.edge(alarms.right(), t.cy(), t.x, t.cy(), "ALARM / OK", true)
		}
	}
	c.WriteString("</g>\n")
	return bottom
}

// laneID is an XML ID for a lane: letters, digits, '-' and '_' only.
func laneID(l lane) string {
	return "lane-" + strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return '_'
	}, l.stack+"-"+l.id)
}

// legend draws the colour key and the arrow styles from top and returns
// the bottom.
func (c *canvas) legend(g grid, top int) int {
	x, y := margin, top+14
	attrs := fmt.Sprintf(` font-family="%s" font-size="12" fill="%s"`, sansFont, softInk)
	item := func(w int, draw func(x int)) {
		if x+w > g.width-margin {
			x, y = margin, y+22
		}
		draw(x)
		x += w + 24
	}
	for _, k := range []kind{analytics, compute, storage, integration, monitoring, external} {
		p := palette[k]
		item(22+textWidth(p.legend, 12, 0.55), func(x int) {
			dash := ""
			if k == external {
				dash = ` stroke-dasharray="4 3"`
			}
			fmt.Fprintf(&c.Buffer, "<rect x=\"%d\" y=\"%d\" width=\"16\" height=\"12\" rx=\"3\" fill=\"%s\" stroke=\"%s\" stroke-width=\"1.5\"%s/>\n", x, y-10, p.fill, p.stroke, dash)
			c.text(x+22, y, p.legend, attrs)
		})
	}
	for _, e := range []struct {
		label  string
		dashed bool
	}{{"records", false}, {"alarms and logs", true}} {
		item(40+textWidth(e.label, 12, 0.55), func(x int) {
			dash := ""
			if e.dashed {
				dash = ` stroke-dasharray="5 4"`
			}
			fmt.Fprintf(&c.Buffer, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"1.5\"%s marker-end=\"url(#arrow)\"/>\n", x, y-4, x+32, y-4, edgeInk, dash)
			c.text(x+40, y, e.label, attrs)
		})
	}
	return y + 10
}

func render(stacks []string, lanes []lane) []byte {
	g := newGrid(lanes)
	var body canvas
	const titleH = 64
	y := margin + titleH
	for _, l := range lanes {
		y = body.drawLane(g, l, y) + 20
	}
	y = body.legend(g, y) + margin

	var c canvas
	fmt.Fprintf(&c.Buffer, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n", g.width, y, g.width, y)
	c.WriteString("<!-- Generated by `standardstream docs` from the synthesized templates; do not edit. -->\n")
	fmt.Fprintf(&c.Buffer, "<title>StandardStream architecture: %s</title>\n", esc(strings.Join(stacks, ", ")))
	fmt.Fprintf(&c.Buffer, "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"%s\"/></marker></defs>\n", edgeInk)
	fmt.Fprintf(&c.Buffer, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", g.width, y)
	c.text(margin, margin+18, "StandardStream architecture", fmt.Sprintf(` font-family="%s" font-size="20" font-weight="bold" fill="%s"`, sansFont, ink))
	noun := "template"
	if len(stacks) > 1 {
		noun = "templates"
	}
	c.text(margin, margin+42, fmt.Sprintf("Drawn from the synthesized %s of %s: one lane per StandardStream.", noun, strings.Join(stacks, ", ")),
		fmt.Sprintf(` font-family="%s" font-size="12" fill="%s"`, sansFont, softInk))
	c.Write(body.Bytes())
	c.WriteString("</svg>\n")
	return c.Bytes()
}
