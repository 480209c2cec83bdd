package streaming

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"
)

// A user's mistake is reported the way CDK's own constructs report theirs
// when they can carry on: as an error annotation on the construct. The app
// keeps running, so every mistake of the app is collected, and the CDK CLI
// fails synth (and deploy) printing each one as
//
//	[Error at /<stack>/<construct>] <field> must be ..., got <value>
//
// without a Go panic or a trace. A panic would stop the app at the first
// mistake and print a goroutine trace from jsii.

// addError reports a synth error on this StandardStream.
func (s *StandardStream) addError(format string, args ...any) {
	awscdk.Annotations_Of(s.Construct).AddError(jsii.String(fmt.Sprintf(format, args...)))
}

// fallback returns the settings a StandardStream with invalid props is built
// from: the defaults, but with the consumer entry (so that a consumer that
// does not compile is reported in the same synth), the key and the topic the
// caller passed.
func fallback(props *StandardStreamProps) settings {
	var keep StandardStreamProps
	if props != nil {
		keep.EncryptionKey = props.EncryptionKey
		if c := props.Consumer; c != nil && c.Entry != nil && *c.Entry != "" {
			keep.Consumer = &ConsumerProps{Entry: c.Entry}
		}
		if a := props.Alarms; a != nil {
			keep.Alarms = &AlarmProps{Topic: a.Topic}
		}
	}
	cfg, err := resolve(&keep)
	if err != nil {
		// The zero value is valid (TestValidateAccepts); only a bug gets here.
		panic(fmt.Sprintf("streaming: default props are invalid: %v", err))
	}
	return cfg
}

// unbuiltCode stands in for a consumer that did not build, after the build
// error has been reported: synth fails anyway, and the rest of the
// StandardStream is still created. It references an object that is never
// read (with a version, which only keeps CDK from warning that the Lambda
// would not follow the object's changes).
func (s *StandardStream) unbuiltCode() awslambda.Code {
	bucket := awss3.Bucket_FromBucketName(s.Construct, id("UnbuiltConsumer"), jsii.String("unbuilt-consumer"))
	return awslambda.Code_FromBucket(bucket, jsii.String("bootstrap.zip"), jsii.String("unbuilt"))
}

// nilGrantee reports a grant to a nil grantee and returns a grant of nothing.
func (s *StandardStream) nilGrantee(method string) awsiam.Grant {
	s.addError("%s: grantee must be a role, user, function or other IGrantable, got nil", method)
	return awsiam.Grant_Drop(awsiam.NewUnknownPrincipal(&awsiam.UnknownPrincipalProps{Resource: s.Construct}), jsii.String(method+" to a nil grantee"))
}
