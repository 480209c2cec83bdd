package streaming

import (
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Sharing with other accounts. A principal outside this app (an account ID,
// an account root or a role or user ARN) has no IAM policy this stack can
// write, so GrantWrite and GrantRead put its grant on the stream's resource
// policy (AWS::Kinesis::ResourcePolicy) and, with a customer-managed key, on
// the key's policy. The other account's administrator must still allow the
// same actions in the principal's own IAM policy.

var (
	accountID = regexp.MustCompile(`^\d{12}$`)
	// An account root, role or user; paths allowed. Assumed-role session ARNs
	// cannot be named in a resource policy.
	principalARN = regexp.MustCompile(`^arn:aws[a-z-]*:iam::(\d{12}):(root|role/[\w+=,.@/-]{1,512}|user/[\w+=,.@/-]{1,512})$`)
)

// external is a principal of another account that a grant goes to.
type external struct {
	principal awsiam.IPrincipal
	// label names it in the generated docs, e.g. "account 111122223333".
	label string
}

// externalPrincipal reports whether grantee is outside this app and, if so,
// validates it. A construct (a Role of this app) is not external: it gets an
// identity policy as before.
func (s *StandardStream) externalPrincipal(method string, grantee awsiam.IGrantable) (*external, bool) {
	if _, ok := grantee.(constructs.IConstruct); ok {
		return nil, false
	}
	p := grantee.GrantPrincipal()
	arnP, ok := p.(awsiam.ArnPrincipal)
	if !ok {
		return nil, false
	}
	if acct := p.PrincipalAccount(); acct != nil && !unresolved(acct) {
		if !accountID.MatchString(*acct) {
			s.addError("%s: an account principal needs a 12-digit account ID, got %q", method, *acct)
			return nil, true
		}
		return &external{principal: p, label: "account " + *acct}, true
	}
	arn := arnP.Arn()
	if arn == nil || unresolved(arn) {
		// Known only at deploy, e.g. AccountRootPrincipal (this stack's
		// account): nothing to validate; the resource policy names it.
		label := "a principal whose ARN is known at deploy"
		if str := arnP.ToString(); str != nil && !unresolved(str) {
			label = *str
		}
		return &external{principal: p, label: label}, true
	}
	if !principalARN.MatchString(*arn) {
		s.addError("%s: a principal of another account must be an account root or a role or user ARN (arn:aws:iam::<12-digit account>:root, :role/<name> or :user/<name>), got %q", method, *arn)
		return nil, true
	}
	return &external{principal: p, label: *arn}, true
}

// grantExternal grants actions on the stream, and keyActions on a
// customer-managed key, to a principal of another account through resource
// policies.
func (s *StandardStream) grantExternal(method string, grantee awsiam.IGrantable, ext *external, keyActions []string, actions ...string) awsiam.Grant {
	st := awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Principals: &[]awsiam.IPrincipal{ext.principal},
		Actions:    jsii.Strings(actions...),
		Resources:  jsii.Strings(*s.Stream.StreamArn()),
	})
	s.Stream.AddToResourcePolicy(st)
	if key := s.settings.key; key != nil {
		// In a key policy, Resource "*" is the key itself.
		res := key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Principals: &[]awsiam.IPrincipal{ext.principal},
			Actions:    jsii.Strings(keyActions...),
			Resources:  jsii.Strings("*"),
		}), jsii.Bool(true))
		if res == nil || res.StatementAdded == nil || !*res.StatementAdded {
			s.addError("%s %s: encryptionKey is imported, so this stack cannot add %v to its key policy; add them for that principal where the key is defined, or pass a key created in this app", method, ext.label, keyActions)
		}
	}
	return awsiam.Grant_Drop(grantee, jsii.String("granted on the stream's resource policy"))
}
