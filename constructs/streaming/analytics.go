package streaming

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsathena"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsglue"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/standardstream/standardstream/constructs/streaming/spec"
)

// SQL over the archive: a Glue table whose partitions Athena computes from
// the archive's Hive-style prefix (partition projection), so the first object
// Firehose writes is queryable without a crawler or MSCK REPAIR TABLE.

const (
	// DefaultTableName is QueryProps.TableName's default.
	DefaultTableName = "records"
	// RawRecordColumn is the one column of the table when the stream has no
	// DataModel: each archived line as a string, for json_extract and friends.
	RawRecordColumn = spec.RawRecordColumn
	// ProjectionFirstYear is the first year partition projection enumerates;
	// the last is always the current year (NOW).
	ProjectionFirstYear = 2026
	// QueryResultsPrefix is where the workgroup writes results in its bucket,
	// followed by the workgroup's name.
	QueryResultsPrefix = "athena-results/"

	athenaMinBytesScanned = 10_000_000 // Athena's minimum BytesScannedCutoffPerQuery
	maxDatabaseNameLength = 128        // Athena workgroup names, which share it
)

var (
	glueNamePattern = regexp.MustCompile(`^[a-z0-9_]+$`)
	notGlueName     = regexp.MustCompile(`[^a-z0-9_]`)
	hiveSegment     = regexp.MustCompile(`^([a-z_]+)=!\{timestamp:([A-Za-z]+)\}$`)
)

// Partition is one Hive-style partition of the archive's prefix.
type Partition struct {
	// Name is the partition key, e.g. "month".
	Name string
	// Format is Firehose's timestamp format for it, e.g. "MM".
	Format string
	// Projection is its Athena partition-projection settings, without the
	// "projection.<name>." prefix.
	Projection map[string]string
}

// ArchiveRoot is the part of ArchivePrefix before its partitions ("data/").
// ArchivePartitions are the partitions that follow, in order. Both are
// derived from ArchivePrefix, so the table cannot disagree with Firehose.
var ArchiveRoot, ArchivePartitions = archiveLayout(ArchivePrefix)

// archiveLayout splits a Firehose prefix into its fixed root and its Hive
// partitions. It panics on a prefix it cannot project: ArchivePrefix is a
// constant of this package, so that is a bug caught by any test.
func archiveLayout(prefix string) (string, []Partition) {
	root := ""
	var parts []Partition
	for _, seg := range strings.Split(strings.TrimSuffix(prefix, "/"), "/") {
		m := hiveSegment.FindStringSubmatch(seg)
		if m == nil {
			if len(parts) > 0 {
				panic(fmt.Sprintf("streaming: archive prefix %q: segment %q after a partition is not a partition", prefix, seg))
			}
			root += seg + "/"
			continue
		}
		var proj map[string]string
		switch m[2] {
		case "yyyy":
			proj = map[string]string{"type": "date", "format": "yyyy", "range": fmt.Sprintf("%d,NOW", ProjectionFirstYear), "interval": "1", "interval.unit": "YEARS"}
		case "MM":
			proj = map[string]string{"type": "integer", "range": "1,12", "digits": "2"}
		case "dd":
			proj = map[string]string{"type": "integer", "range": "1,31", "digits": "2"}
		case "HH":
			proj = map[string]string{"type": "integer", "range": "0,23", "digits": "2"}
		default:
			panic(fmt.Sprintf("streaming: archive prefix %q: no projection for timestamp format %q", prefix, m[2]))
		}
		parts = append(parts, Partition{Name: m[1], Format: m[2], Projection: proj})
	}
	return root, parts
}

// LocationTemplate returns the table's storage.location.template for the
// archive in bucket (a name or a token): the archive prefix with each
// partition's timestamp replaced by ${<partition>}.
func LocationTemplate(bucket string) string {
	var b strings.Builder
	b.WriteString("s3://" + bucket + "/" + ArchiveRoot)
	for _, p := range ArchivePartitions {
		fmt.Fprintf(&b, "%s=${%s}/", p.Name, p.Name)
	}
	return b.String()
}

// Column is a column of the archive's table ([spec.Column]).
type Column = spec.Column

// Columns returns the table's columns for schema: one per top-level
// property, named in lowercase (Athena's rule), with Hive types from the JSON
// Schema types; or the single string column RawRecordColumn when schema is
// nil or has no properties.
func Columns(schema *Schema) []Column { return spec.Columns(schema) }

type querySettings struct {
	enabled            bool
	database, table    string
	resultsBucket      awss3.IBucket
	resultsExpiration  awscdk.Duration
	bytesScannedCutoff awscdk.Size
}

func (v *validator) query(q *QueryProps, streamName *string, archive bool) querySettings {
	var p QueryProps
	if q != nil {
		p = *q
	}
	if !archive {
		// The table is the archive's: without an archive there is nothing
		// to query, and settings for it are a mistake.
		if q != nil && (p.Disabled == nil || !*p.Disabled) {
			v.errorf("query needs the archive, which archive.disabled removes; set query.disabled or remove the query settings, got query settings")
		}
		return querySettings{}
	}
	s := querySettings{
		enabled:            p.Disabled == nil || !*p.Disabled,
		table:              DefaultTableName,
		resultsBucket:      p.ResultsBucket,
		resultsExpiration:  orDuration(p.ResultsExpiration, awscdk.Duration_Days(jsii.Number(30))),
		bytesScannedCutoff: p.BytesScannedCutoff,
	}
	if s.bytesScannedCutoff == nil {
		s.bytesScannedCutoff = awscdk.Size_Gibibytes(jsii.Number(100))
	}
	if !s.enabled {
		return s
	}
	switch {
	case p.DatabaseName != nil:
		s.database = *p.DatabaseName
		if !unresolved(p.DatabaseName) && (len(s.database) > maxDatabaseNameLength || !glueNamePattern.MatchString(s.database)) {
			v.errorf("query.databaseName must be 1-%d characters of lowercase letters, digits and underscores, got %q", maxDatabaseNameLength, s.database)
		}
	case streamName != nil && !unresolved(streamName):
		s.database = glueName(*streamName)
	}
	if p.TableName != nil {
		s.table = *p.TableName
		if !unresolved(p.TableName) && (len(s.table) > 255 || !glueNamePattern.MatchString(s.table)) {
			v.errorf("query.tableName must be 1-255 characters of lowercase letters, digits and underscores, got %q", s.table)
		}
	}
	if p.ResultsBucket != nil && p.ResultsExpiration != nil {
		v.errorf("query.resultsExpiration applies only to the results bucket the construct creates; remove it or query.resultsBucket, got %s", human(p.ResultsExpiration))
	} else if sec, ok := seconds(s.resultsExpiration); ok {
		if d := sec / 86400; d < 1 || d > 365 || d != float64(int(d)) {
			v.errorf("query.resultsExpiration must be a whole number of days between 1 and 365, got %s", human(s.resultsExpiration))
		}
	}
	if !unresolved(s.bytesScannedCutoff) {
		if b := *s.bytesScannedCutoff.ToBytes(nil); b < athenaMinBytesScanned {
			v.errorf("query.bytesScannedCutoff must be at least 10 MB (Athena's minimum), got %.0f bytes", b)
		}
	}
	return s
}

// glueName turns a stream name into a Glue database name.
func glueName(name string) string {
	n := notGlueName.ReplaceAllString(strings.ToLower(name), "_")
	if len(n) > maxDatabaseNameLength {
		n = n[:maxDatabaseNameLength]
	}
	return n
}

// Query is SQL over the archive; the zero Query means it is disabled.
type Query struct {
	// Database and Table are the Glue Data Catalog resources.
	Database awsglue.CfnDatabase
	Table    awsglue.CfnTable
	// Workgroup is the Athena workgroup whose results are encrypted.
	Workgroup awsathena.CfnWorkGroup
	// ResultsBucket holds the workgroup's results (created or passed in).
	ResultsBucket awss3.IBucket
}

func (s *StandardStream) newQuery() {
	cfg := s.settings.query
	if !cfg.enabled {
		return
	}
	stack := awscdk.Stack_Of(s.Construct)
	if cfg.database == "" {
		// No stream name to derive from: the construct path gives a name
		// that is stable and unique in the account's catalog per stack.
		cfg.database = glueName(*awscdk.Names_UniqueResourceName(s.Construct, &awscdk.UniqueResourceNameOptions{MaxLength: jsii.Number(64)}))
		s.settings.query.database = cfg.database
	}
	s.Query.Database = awsglue.NewCfnDatabase(s.Construct, id("Database"), &awsglue.CfnDatabaseProps{
		CatalogId: stack.Account(),
		DatabaseInput: &awsglue.CfnDatabase_DatabaseInputProperty{
			Name:        jsii.String(cfg.database),
			Description: jsii.String("Archive of a StandardStream, queryable with Athena"),
		},
	})

	cols := Columns(s.settings.schema)
	columns := make([]*awsglue.CfnTable_ColumnProperty, len(cols))
	for i, c := range cols {
		columns[i] = &awsglue.CfnTable_ColumnProperty{Name: jsii.String(c.Name), Type: jsii.String(c.Type)}
	}
	var partitionKeys []*awsglue.CfnTable_ColumnProperty
	params := map[string]*string{
		"EXTERNAL":                  jsii.String("TRUE"),
		"classification":            jsii.String("json"),
		"compressionType":           jsii.String("gzip"),
		"projection.enabled":        jsii.String("true"),
		"storage.location.template": jsii.String(LocationTemplate(*s.Bucket.BucketName())),
	}
	for _, p := range ArchivePartitions {
		partitionKeys = append(partitionKeys, &awsglue.CfnTable_ColumnProperty{Name: jsii.String(p.Name), Type: jsii.String("string")})
		for k, v := range p.Projection {
			params["projection."+p.Name+"."+k] = jsii.String(v)
		}
	}
	// Lines are JSON when the stream has a schema; otherwise each line is one
	// string (LazySimpleSerDe splits on \x01, which JSON text never holds raw).
	serde := &awsglue.CfnTable_SerdeInfoProperty{
		SerializationLibrary: jsii.String("org.openx.data.jsonserde.JsonSerDe"),
		Parameters:           &map[string]*string{"case.insensitive": jsii.String("true"), "ignore.malformed.json": jsii.String("true")},
	}
	if cols[0].Name == RawRecordColumn && len(cols) == 1 {
		serde = &awsglue.CfnTable_SerdeInfoProperty{
			SerializationLibrary: jsii.String("org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"),
			Parameters:           &map[string]*string{"serialization.format": jsii.String("1")},
		}
	}
	s.Query.Table = awsglue.NewCfnTable(s.Construct, id("Table"), &awsglue.CfnTableProps{
		CatalogId:    stack.Account(),
		DatabaseName: jsii.String(cfg.database),
		TableInput: &awsglue.CfnTable_TableInputProperty{
			Name:          jsii.String(cfg.table),
			Description:   jsii.String("GZIP JSON lines archived by Firehose; partitions are projected from the key prefix"),
			TableType:     jsii.String("EXTERNAL_TABLE"),
			Parameters:    &params,
			PartitionKeys: &partitionKeys,
			StorageDescriptor: &awsglue.CfnTable_StorageDescriptorProperty{
				Columns:      &columns,
				Location:     jsii.String(fmt.Sprintf("s3://%s/%s", *s.Bucket.BucketName(), ArchiveRoot)),
				InputFormat:  jsii.String("org.apache.hadoop.mapred.TextInputFormat"),
				OutputFormat: jsii.String("org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"),
				Compressed:   jsii.Bool(true),
				SerdeInfo:    serde,
			},
		},
	})
	s.Query.Table.Node().AddDependency(s.Query.Database)

	s.Query.ResultsBucket = cfg.resultsBucket
	if s.Query.ResultsBucket == nil {
		props := s.bucketProps(nil)
		(*props.LifecycleRules)[0].Expiration = cfg.resultsExpiration
		s.Query.ResultsBucket = s.hardenBucket("QueryResults", props)
	}
	encryption := &awsathena.CfnWorkGroup_EncryptionConfigurationProperty{EncryptionOption: jsii.String("SSE_S3")}
	if s.settings.key != nil {
		encryption = &awsathena.CfnWorkGroup_EncryptionConfigurationProperty{EncryptionOption: jsii.String("SSE_KMS"), KmsKey: s.settings.key.KeyArn()}
	}
	s.Query.Workgroup = awsathena.NewCfnWorkGroup(s.Construct, id("Workgroup"), &awsathena.CfnWorkGroupProps{
		Name:        jsii.String(cfg.database),
		Description: jsii.String("Queries over a StandardStream archive; results encrypted, settings enforced"),
		State:       jsii.String("ENABLED"),
		// Only a workgroup without saved queries can be deleted otherwise.
		RecursiveDeleteOption: jsii.Bool(s.removeWithStack()),
		WorkGroupConfiguration: &awsathena.CfnWorkGroup_WorkGroupConfigurationProperty{
			// Clients cannot write results unencrypted or elsewhere.
			EnforceWorkGroupConfiguration:   jsii.Bool(true),
			PublishCloudWatchMetricsEnabled: jsii.Bool(true),
			BytesScannedCutoffPerQuery:      cfg.bytesScannedCutoff.ToBytes(nil),
			EngineVersion: &awsathena.CfnWorkGroup_EngineVersionProperty{
				SelectedEngineVersion: jsii.String("Athena engine version 3"),
			},
			ResultConfiguration: &awsathena.CfnWorkGroup_ResultConfigurationProperty{
				OutputLocation:          jsii.String(fmt.Sprintf("s3://%s/%s", *s.Query.ResultsBucket.BucketName(), s.resultsPrefix())),
				EncryptionConfiguration: encryption,
			},
		},
	})
}

func (s *StandardStream) resultsPrefix() string {
	return QueryResultsPrefix + s.settings.query.database + "/"
}

// GrantQuery lets grantee run Athena queries over the archive in this
// stream's workgroup, and nothing more: athena:StartQueryExecution,
// GetQueryExecution, GetQueryResults, StopQueryExecution and GetWorkGroup on
// the workgroup; glue:GetDatabase, GetTable and GetTables on the catalog,
// database and table; s3:GetObject on the archive's data prefix (not its
// error prefix) and s3:ListBucket limited to that prefix; read and write of
// the workgroup's results prefix; and kms:Decrypt and kms:GenerateDataKey on
// a customer-managed key. Without a table (QueryProps.Disabled or
// ArchiveProps.Disabled) it adds an error to the construct, which stops synth.
func (s *StandardStream) GrantQuery(grantee awsiam.IGrantable) awsiam.Grant {
	if s.Query.Workgroup == nil {
		awscdk.Annotations_Of(s.Construct).AddError(jsii.String("GrantQuery: there is no table or workgroup to grant: query.disabled or archive.disabled is set"))
		return awsiam.Grant_Drop(grantee, jsii.String("query disabled"))
	}
	stack := awscdk.Stack_Of(s.Construct)
	db, table := s.settings.query.database, s.settings.query.table
	arn := func(service, resource string) string {
		return *stack.FormatArn(&awscdk.ArnComponents{Service: jsii.String(service), Resource: jsii.String(resource)})
	}
	archiveData := ArchiveRoot + "*"
	results := s.resultsPrefix() + "*"
	type grant struct {
		actions, resources []string
		conditions         *map[string]*map[string]any
	}
	grants := []grant{
		{actions: []string{"athena:GetQueryExecution", "athena:GetQueryResults", "athena:GetWorkGroup", "athena:StartQueryExecution", "athena:StopQueryExecution"},
			resources: []string{arn("athena", "workgroup/"+db)}},
		{actions: []string{"glue:GetDatabase", "glue:GetTable", "glue:GetTables"},
			resources: []string{arn("glue", "catalog"), arn("glue", "database/"+db), arn("glue", "table/"+db+"/"+table)}},
		{actions: []string{"s3:GetObject"}, resources: []string{*s.Bucket.ArnForObjects(jsii.String(archiveData))}},
		{actions: []string{"s3:ListBucket"}, resources: []string{*s.Bucket.BucketArn()},
			conditions: &map[string]*map[string]any{"StringLike": {"s3:prefix": []string{ArchiveRoot, archiveData}}}},
		{actions: []string{"s3:GetBucketLocation"}, resources: []string{*s.Bucket.BucketArn(), *s.Query.ResultsBucket.BucketArn()}},
		{actions: []string{"s3:ListBucket", "s3:ListBucketMultipartUploads"}, resources: []string{*s.Query.ResultsBucket.BucketArn()},
			conditions: &map[string]*map[string]any{"StringLike": {"s3:prefix": []string{s.resultsPrefix(), results}}}},
		{actions: []string{"s3:AbortMultipartUpload", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"},
			resources: []string{*s.Query.ResultsBucket.ArnForObjects(jsii.String(results))}},
	}
	if s.settings.key != nil {
		grants = append(grants, grant{actions: []string{"kms:Decrypt", "kms:GenerateDataKey"}, resources: []string{*s.settings.key.KeyArn()}})
	}
	var g awsiam.Grant
	for _, gr := range grants {
		one := awsiam.Grant_AddToPrincipal(&awsiam.GrantOnPrincipalOptions{
			Grantee: grantee, Actions: jsii.Strings(gr.actions...), ResourceArns: jsii.Strings(gr.resources...), Conditions: gr.conditions,
		})
		if g == nil {
			g = one
		} else {
			g = g.Combine(one)
		}
	}
	s.queriers = append(s.queriers, principal(grantee))
	if c, ok := grantee.(constructs.IConstruct); ok {
		suppressAll(c, true, "AwsSolutions-IAM5",
			"GrantQuery: Athena reads every object under the archive's data/ prefix (Firehose generates the keys) and writes results under keys it generates in the workgroup's results prefix; "+
				"both are limited to one prefix of one bucket, and the archive's errors/ prefix is excluded.",
			nagRegex(`/^Resource::<[A-Za-z0-9]+\.Arn>\/`+regexp.QuoteMeta(ArchiveRoot)+`\*$/g`),
			nagRegex(`/^Resource::<[A-Za-z0-9]+\.Arn>\/`+strings.ReplaceAll(regexp.QuoteMeta(results), "/", `\/`)+`$/g`),
			nagRegex(`/^Resource::arn:<AWS::Partition>:s3:::.*\/`+strings.ReplaceAll(regexp.QuoteMeta(results), "/", `\/`)+`$/g`))
	}
	return g
}
