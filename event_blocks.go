package managedagents

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
)

// Content block type strings (the "type" of a [ContentBlock]).
const (
	BlockTypeText         = "text"
	BlockTypeImage        = "image"
	BlockTypeDocument     = "document"
	BlockTypeSearchResult = "search_result"
	BlockTypeRedacted     = "redacted"
)

// ContentBlock is one block of an event's content: [*TextBlock], [*ImageBlock],
// [*DocumentBlock], [*SearchResultBlock], [*RedactedBlock], or [*UnknownBlock] for
// a block type this SDK does not know. It is a sealed interface; use a type
// switch. The same types serve received events and the events you send.
type ContentBlock interface {
	// BlockType returns the block's type string, e.g. "text".
	BlockType() string
	isContentBlock()
}

// ContentBlocks is the content of an event: a list of blocks. It decodes each
// block into its concrete type.
type ContentBlocks []ContentBlock

// Text returns the text of the text blocks, concatenated in order; other blocks
// are skipped.
func (c ContentBlocks) Text() string {
	n, count := 0, 0
	var only string
	for _, b := range c {
		if t, ok := b.(*TextBlock); ok && t != nil {
			n += len(t.Text)
			count++
			only = t.Text
		}
	}
	if count <= 1 {
		return only
	}
	var sb strings.Builder
	sb.Grow(n)
	for _, b := range c {
		if t, ok := b.(*TextBlock); ok && t != nil {
			sb.WriteString(t.Text)
		}
	}
	return sb.String()
}

// UnmarshalJSON decodes a JSON array of blocks, each into its concrete type; an
// unknown block type gives *UnknownBlock. An empty array or null gives nil.
func (c *ContentBlocks) UnmarshalJSON(data []byte) error {
	var raws []json.RawMessage
	if err := json.Unmarshal(data, &raws); err != nil {
		return err
	}
	var out ContentBlocks
	for _, raw := range raws {
		b, err := decodeBlock(raw)
		if err != nil {
			return err
		}
		out = append(out, b)
	}
	*c = out
	return nil
}

// unionType returns the "type" of the JSON object data as encoding/json reads
// it, for the decoders of unions (blocks, sources, tools, configs).
func unionType(data []byte) (string, error) {
	var head struct {
		Type string `json:"type"`
	}
	err := json.Unmarshal(data, &head)
	return head.Type, err
}

// decodeBlock decodes one content block by its type.
func decodeBlock(data []byte) (ContentBlock, error) {
	typ, err := unionType(data)
	if err != nil {
		return nil, err
	}
	var b ContentBlock
	switch typ {
	case BlockTypeText:
		b = new(TextBlock)
	case BlockTypeImage:
		b = new(ImageBlock)
	case BlockTypeDocument:
		b = new(DocumentBlock)
	case BlockTypeSearchResult:
		b = new(SearchResultBlock)
	case BlockTypeRedacted:
		return new(RedactedBlock), nil
	default:
		return &UnknownBlock{Type: typ, Raw: bytes.Clone(data)}, nil
	}
	if err := json.Unmarshal(data, b); err != nil {
		return nil, err
	}
	return b, nil
}

// TextBlock is a block of text: {"type":"text","text":…}.
type TextBlock struct {
	// Text is the text.
	Text string `json:"text"`
}

// NewTextBlock returns a text block.
func NewTextBlock(text string) *TextBlock { return &TextBlock{Text: text} }

// BlockType returns "text".
func (*TextBlock) BlockType() string { return BlockTypeText }
func (*TextBlock) isContentBlock()   {}

// MarshalJSON encodes the block with its "type".
func (b TextBlock) MarshalJSON() ([]byte, error) {
	type plain TextBlock
	return marshalWithType(BlockTypeText, plain(b))
}

// ImageBlock is an image: {"type":"image","source":…}. The source is a
// [*Base64Source] (media type image/png, image/jpeg, image/gif or image/webp), a
// [*URLSource] or a [*FileSource].
type ImageBlock struct {
	// Source is where the image comes from.
	Source BlockSource `json:"source"`
}

// NewImageBlockBase64 returns an image block holding data, base64-encoded, of
// mediaType (e.g. "image/png").
func NewImageBlockBase64(mediaType string, data []byte) *ImageBlock {
	return &ImageBlock{Source: &Base64Source{MediaType: mediaType, Data: base64.StdEncoding.EncodeToString(data)}}
}

// NewImageBlockURL returns an image block fetched from url.
func NewImageBlockURL(url string) *ImageBlock { return &ImageBlock{Source: &URLSource{URL: url}} }

// NewImageBlockFile returns an image block for a file uploaded with the Files API.
func NewImageBlockFile(fileID string) *ImageBlock {
	return &ImageBlock{Source: &FileSource{FileID: fileID}}
}

// BlockType returns "image".
func (*ImageBlock) BlockType() string { return BlockTypeImage }
func (*ImageBlock) isContentBlock()   {}

// MarshalJSON encodes the block with its "type".
func (b ImageBlock) MarshalJSON() ([]byte, error) {
	type plain ImageBlock
	return marshalWithType(BlockTypeImage, plain(b))
}

// UnmarshalJSON decodes the block and its typed source.
func (b *ImageBlock) UnmarshalJSON(data []byte) error {
	var w struct {
		Source sourceField `json:"source"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	b.Source = w.Source.s
	return nil
}

// DocumentBlock is a document: {"type":"document","source":…,"title"?,"context"?}.
// The source is a [*Base64Source] (application/pdf), a [*PlainTextSource], a
// [*URLSource] or a [*FileSource].
type DocumentBlock struct {
	// Source is where the document comes from.
	Source BlockSource `json:"source"`
	// Title is the document's title, if any.
	Title string `json:"title,omitempty"`
	// Context is extra context about the document, if any.
	Context string `json:"context,omitempty"`
}

// NewDocumentBlockPDF returns a document block holding a PDF, base64-encoded.
func NewDocumentBlockPDF(pdf []byte) *DocumentBlock {
	return &DocumentBlock{Source: &Base64Source{MediaType: "application/pdf", Data: base64.StdEncoding.EncodeToString(pdf)}}
}

// NewDocumentBlockText returns a document block holding plain text.
func NewDocumentBlockText(text string) *DocumentBlock {
	return &DocumentBlock{Source: &PlainTextSource{MediaType: "text/plain", Data: text}}
}

// NewDocumentBlockURL returns a document block fetched from url.
func NewDocumentBlockURL(url string) *DocumentBlock {
	return &DocumentBlock{Source: &URLSource{URL: url}}
}

// NewDocumentBlockFile returns a document block for a file uploaded with the Files
// API.
func NewDocumentBlockFile(fileID string) *DocumentBlock {
	return &DocumentBlock{Source: &FileSource{FileID: fileID}}
}

// BlockType returns "document".
func (*DocumentBlock) BlockType() string { return BlockTypeDocument }
func (*DocumentBlock) isContentBlock()   {}

// MarshalJSON encodes the block with its "type".
func (b DocumentBlock) MarshalJSON() ([]byte, error) {
	type plain DocumentBlock
	return marshalWithType(BlockTypeDocument, plain(b))
}

// UnmarshalJSON decodes the block and its typed source.
func (b *DocumentBlock) UnmarshalJSON(data []byte) error {
	var w struct {
		Source  sourceField `json:"source"`
		Title   *string     `json:"title"`
		Context *string     `json:"context"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	b.Source = w.Source.s
	b.Title, b.Context = deref(w.Title), deref(w.Context)
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// SearchResultBlock is a search result, found in tool results:
// {"type":"search_result","source":url,"title","content":[text…],"citations"}.
type SearchResultBlock struct {
	// Source is the URL of the result.
	Source string `json:"source"`
	// Title is the result's title.
	Title string `json:"title"`
	// Content is the result's text.
	Content []TextBlock `json:"content"`
	// Citations says whether citations are enabled for the result.
	Citations SearchResultCitations `json:"citations"`
}

// SearchResultCitations is the citation setting of a search result.
type SearchResultCitations struct {
	// Enabled turns citations on.
	Enabled bool `json:"enabled"`
}

// NewSearchResultBlock returns a search result block for source (a URL) with the
// given title and text, citations off.
func NewSearchResultBlock(source, title string, text ...string) *SearchResultBlock {
	b := &SearchResultBlock{Source: source, Title: title, Content: make([]TextBlock, 0, len(text))}
	for _, t := range text {
		b.Content = append(b.Content, TextBlock{Text: t})
	}
	return b
}

// BlockType returns "search_result".
func (*SearchResultBlock) BlockType() string { return BlockTypeSearchResult }
func (*SearchResultBlock) isContentBlock()   {}

// MarshalJSON encodes the block with its "type".
func (b SearchResultBlock) MarshalJSON() ([]byte, error) {
	type plain SearchResultBlock
	if b.Content == nil {
		b.Content = []TextBlock{}
	}
	return marshalWithType(BlockTypeSearchResult, plain(b))
}

// RedactedBlock stands for content that was withheld: {"type":"redacted"}.
type RedactedBlock struct{}

// NewRedactedBlock returns a redacted block.
func NewRedactedBlock() *RedactedBlock { return &RedactedBlock{} }

// BlockType returns "redacted".
func (*RedactedBlock) BlockType() string { return BlockTypeRedacted }
func (*RedactedBlock) isContentBlock()   {}

// MarshalJSON encodes {"type":"redacted"}.
func (RedactedBlock) MarshalJSON() ([]byte, error) { return []byte(`{"type":"redacted"}`), nil }

// UnknownBlock is a block whose type this SDK does not know. Raw is its JSON; when
// sent, Raw is sent as is.
type UnknownBlock struct {
	// Type is the block's type string.
	Type string
	// Raw is the block as received.
	Raw json.RawMessage
}

// BlockType returns the block's type string.
func (b *UnknownBlock) BlockType() string { return b.Type }
func (*UnknownBlock) isContentBlock()     {}

// MarshalJSON returns Raw.
func (b UnknownBlock) MarshalJSON() ([]byte, error) {
	if len(b.Raw) == 0 {
		return []byte("null"), nil
	}
	return b.Raw, nil
}

// Source type strings (the "type" of a [BlockSource]).
const (
	SourceTypeBase64 = "base64"
	SourceTypeText   = "text"
	SourceTypeURL    = "url"
	SourceTypeFile   = "file"
)

// BlockSource is where an image or document comes from: [*Base64Source],
// [*PlainTextSource], [*URLSource], [*FileSource], or [*UnknownSource]. It is a
// sealed interface.
type BlockSource interface {
	// SourceType returns the source's type string, e.g. "base64".
	SourceType() string
	isBlockSource()
}

// Base64Source is inline data: {"type":"base64","media_type","data"}.
type Base64Source struct {
	// MediaType is the MIME type: image/png, image/jpeg, image/gif, image/webp or
	// application/pdf.
	MediaType string `json:"media_type"`
	// Data is the base64-encoded content.
	Data string `json:"data"`
}

// SourceType returns "base64".
func (*Base64Source) SourceType() string { return SourceTypeBase64 }
func (*Base64Source) isBlockSource()     {}

// MarshalJSON encodes the source with its "type".
func (s Base64Source) MarshalJSON() ([]byte, error) {
	type plain Base64Source
	return marshalWithType(SourceTypeBase64, plain(s))
}

// PlainTextSource is an inline plain-text document:
// {"type":"text","media_type":"text/plain","data"}.
type PlainTextSource struct {
	// MediaType is "text/plain".
	MediaType string `json:"media_type"`
	// Data is the text.
	Data string `json:"data"`
}

// SourceType returns "text".
func (*PlainTextSource) SourceType() string { return SourceTypeText }
func (*PlainTextSource) isBlockSource()     {}

// MarshalJSON encodes the source with its "type"; an empty MediaType is sent as
// "text/plain".
func (s PlainTextSource) MarshalJSON() ([]byte, error) {
	type plain PlainTextSource
	if s.MediaType == "" {
		s.MediaType = "text/plain"
	}
	return marshalWithType(SourceTypeText, plain(s))
}

// URLSource is content fetched from a URL: {"type":"url","url"}.
type URLSource struct {
	// URL is the content's address.
	URL string `json:"url"`
}

// SourceType returns "url".
func (*URLSource) SourceType() string { return SourceTypeURL }
func (*URLSource) isBlockSource()     {}

// MarshalJSON encodes the source with its "type".
func (s URLSource) MarshalJSON() ([]byte, error) {
	type plain URLSource
	return marshalWithType(SourceTypeURL, plain(s))
}

// FileSource is a file uploaded with the Files API: {"type":"file","file_id"}.
type FileSource struct {
	// FileID is the file's id (file_…).
	FileID string `json:"file_id"`
}

// SourceType returns "file".
func (*FileSource) SourceType() string { return SourceTypeFile }
func (*FileSource) isBlockSource()     {}

// MarshalJSON encodes the source with its "type".
func (s FileSource) MarshalJSON() ([]byte, error) {
	type plain FileSource
	return marshalWithType(SourceTypeFile, plain(s))
}

// UnknownSource is a source whose type this SDK does not know; Raw is its JSON.
type UnknownSource struct {
	// Type is the source's type string.
	Type string
	// Raw is the source as received.
	Raw json.RawMessage
}

// SourceType returns the source's type string.
func (s *UnknownSource) SourceType() string { return s.Type }
func (*UnknownSource) isBlockSource()       {}

// MarshalJSON returns Raw.
func (s UnknownSource) MarshalJSON() ([]byte, error) {
	if len(s.Raw) == 0 {
		return []byte("null"), nil
	}
	return s.Raw, nil
}

// sourceField decodes a JSON source into its concrete type.
type sourceField struct{ s BlockSource }

func (f *sourceField) UnmarshalJSON(data []byte) error {
	if string(bytes.TrimSpace(data)) == "null" {
		f.s = nil
		return nil
	}
	typ, err := unionType(data)
	if err != nil {
		return err
	}
	var s BlockSource
	switch typ {
	case SourceTypeBase64:
		s = new(Base64Source)
	case SourceTypeText:
		s = new(PlainTextSource)
	case SourceTypeURL:
		s = new(URLSource)
	case SourceTypeFile:
		s = new(FileSource)
	default:
		f.s = &UnknownSource{Type: typ, Raw: bytes.Clone(data)}
		return nil
	}
	if err := json.Unmarshal(data, s); err != nil {
		return err
	}
	f.s = s
	return nil
}
