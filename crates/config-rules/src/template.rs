//! The per-rule blocks of `template.yaml`, generated from the rules' metadata.
//!
//! Each block sits between a `# BEGIN GENERATED <name>` and a `# END GENERATED <name>` comment
//! line; `config-rules template --write` rewrites what is between them and a test fails when the
//! file drifts. Everything outside the markers (the suite's parameters, globals, the alert topic
//! and its key, the log group a remediation writes to) is written by hand. Adding a rule needs
//! no template edit.
//!
//! What is generated, per rule: its `Enable<Rule>` switch and one parameter per rule parameter
//! (`<Rule><Parameter>`), the conditions that switch it and leave unset optional parameters out
//! of `InputParameters` (`Fn::If` + `AWS::NoValue`: Config rejects blank values), a template
//! `Rules` assertion for each required parameter, the log group, role (exactly the actions of
//! [`RuleMeta::required_permissions`], on their resources), function, invoke permission (with
//! `SourceAccount`), Config rule, alert wiring, outputs, and for a rule with a remediation its
//! Automation document (the rule's `remediation.yaml`, embedded), remediation configuration,
//! settings and its statements in the shared remediation role (on only while the rule's
//! remediation is).

use config_rules_core::{ParamKind, ParamSpec, Permission, RemediationValue, RuleMeta};

use crate::catalog::pascal;

/// `lambda-timeout-within-limit`'s default limit: longer-running rule functions carry its
/// exemption tag (the periodic sweeps that call AWS once or twice per resource).
pub const TIMEOUT_RULE_DEFAULT_SECONDS: u32 = 60;

/// Config's limit on the whole `InputParameters` JSON, in characters.
pub const MAX_INPUT_PARAMETERS_CHARS: usize = 1024;

const BEGIN: &str = "# BEGIN GENERATED ";
const END: &str = "# END GENERATED ";

/// A JSON string literal, which YAML reads as a double-quoted scalar.
fn q(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

/// A sentence fragment: the first letter lower-cased.
fn fragment(text: &str) -> String {
    let text = text.trim_end_matches('.');
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn param_name(meta: &RuleMeta, spec: &ParamSpec) -> String {
    format!("{}{}", pascal(meta.id), pascal(spec.name))
}

/// An optional parameter that may be left unset: no default (or an empty one) and not required.
fn optional(spec: &ParamSpec) -> bool {
    !spec.required && spec.default.is_none_or(str::is_empty)
}

/// The longest value each text or list parameter of a rule may take, so that the whole
/// `InputParameters` JSON stays within [`MAX_INPUT_PARAMETERS_CHARS`]: what the fixed-size
/// parameters and the keys leave, shared equally (text values count twice, as their quotes
/// may be escaped).
pub fn max_lengths(meta: &RuleMeta) -> Vec<(&'static str, usize)> {
    let mut fixed = 2; // the braces
    let mut free = Vec::new();
    for spec in meta.parameters {
        fixed += spec.name.len() + 6; // "key":"",
        match spec.kind {
            ParamKind::Boolean => fixed += 5,
            ParamKind::Integer { min, max } => fixed += min.to_string().len().max(max.to_string().len()),
            ParamKind::OneOf(words) => fixed += words.iter().map(|w| w.len()).max().unwrap_or(0),
            ParamKind::Text | ParamKind::List => free.push(spec),
        }
    }
    if free.is_empty() {
        return Vec::new();
    }
    let share = MAX_INPUT_PARAMETERS_CHARS.saturating_sub(fixed) / free.len();
    free.iter()
        .map(|s| (s.name, if s.kind == ParamKind::Text { share / 2 } else { share }))
        .collect()
}

/// The block names, in file order.
pub const BLOCKS: &[&str] = &[
    "parameter-groups",
    "parameters",
    "conditions",
    "rules",
    "functions",
    "alert-rule-names",
    "remediations",
    "outputs",
];

/// One generated block's text (without its marker lines).
pub fn block(name: &str, metas: &[&RuleMeta]) -> Option<String> {
    let mut out = String::new();
    match name {
        "parameter-groups" => {
            out.push_str("      - Label: { default: Rules to deploy }\n        Parameters:\n");
            for m in metas {
                out.push_str(&format!("          - Enable{}\n", pascal(m.id)));
            }
            out.push_str("      - Label: { default: Rule parameters }\n        Parameters:\n");
            for m in metas {
                if m.resource_types.is_empty() && !m.default_scope.is_empty() {
                    out.push_str(&format!("          - {}ResourceTypes\n", pascal(m.id)));
                }
                for spec in m.parameters {
                    out.push_str(&format!("          - {}\n", param_name(m, spec)));
                }
                if m.remediation.is_some_and(|r| !r.automatic_safe) {
                    out.push_str(&format!("          - {}AutomaticRemediation\n", pascal(m.id)));
                }
                for (name, _, _) in remediation_settings(m) {
                    out.push_str(&format!("          - {}\n", setting_param(m, name)));
                }
            }
        }
        "parameters" => metas.iter().for_each(|m| parameters(m, &mut out)),
        "conditions" => {
            metas.iter().for_each(|m| conditions(m, &mut out));
            role_condition(metas, &mut out);
        }
        "rules" => {
            let mut any = false;
            for m in metas {
                for spec in m.parameters.iter().filter(|s| s.required) {
                    any = true;
                    let p = pascal(m.id);
                    out.push_str(&format!(
                        "  {p}Needs{}:\n    RuleCondition: !Equals [!Ref Enable{p}, \"true\"]\n    Assertions:\n      - Assert: !Not [!Equals [!Ref {}, \"\"]]\n        AssertDescription: {}\n",
                        pascal(spec.name),
                        param_name(m, spec),
                        q(&format!("{} needs {} ({}) when Enable{p} is true.", m.id, param_name(m, spec), fragment(spec.description)))
                    ));
                }
            }
            if !any {
                // CloudFormation wants at least one rule in a Rules section.
                out.push_str(
                    "  NoRequiredParameters:\n    Assertions:\n      - Assert: !Equals [\"true\", \"true\"]\n",
                );
            }
        }
        "functions" => metas.iter().for_each(|m| function(m, &mut out)),
        "alert-rule-names" => {
            for m in metas {
                out.push_str(&format!("            - !Sub \"${{NamePrefix}}{}\"\n", m.id));
            }
        }
        "remediations" => {
            remediation_role(metas, &mut out);
            metas.iter().for_each(|m| remediation(m, &mut out));
        }
        "outputs" => {
            for m in metas {
                let p = pascal(m.id);
                out.push_str(&format!(
                    "  {p}ConfigRuleName:\n    Condition: {p}Enabled\n    Value: !If [AccountMode, !Ref {p}ConfigRule, !If [OrganizationRules, !Ref {p}OrganizationConfigRule, \"(bound by the conformance pack)\"]]\n  {p}FunctionArn:\n    Condition: {p}Enabled\n    Value: !GetAtt {p}Function.Arn\n"
                ));
            }
        }
        _ => return None,
    }
    Some(out)
}

fn parameters(m: &RuleMeta, out: &mut String) {
    let p = pascal(m.id);
    let required: Vec<String> = m
        .parameters
        .iter()
        .filter(|s| s.required)
        .map(|s| param_name(m, s))
        .collect();
    let opt_in = !required.is_empty();
    let note = if opt_in {
        format!(" (needs {})", required.join(", "))
    } else {
        String::new()
    };
    out.push_str(&format!(
        "  Enable{p}:\n    Type: String\n    Default: \"{}\"\n    AllowedValues: [\"true\", \"false\"]\n    Description: {}\n",
        if opt_in { "false" } else { "true" },
        q(&format!("Deploy {}{note}.", m.id))
    ));
    if m.resource_types.is_empty() && !m.default_scope.is_empty() {
        out.push_str(&format!(
            "  {p}ResourceTypes:\n    Type: CommaDelimitedList\n    Default: {}\n    Description: {}\n",
            q(&m.default_scope.join(",")),
            q(&format!("{} scope: the resource types it judges.", m.id))
        ));
    }
    let lengths = max_lengths(m);
    for spec in m.parameters {
        let name = param_name(m, spec);
        let mut description = format!("{} {}: {}", m.id, spec.name, fragment(spec.description));
        let mut notes = Vec::new();
        if spec.kind == ParamKind::List {
            notes.push("comma list");
        }
        if spec.required {
            notes.push("required");
        } else if optional(spec) {
            notes.push("empty: not set");
        }
        if !notes.is_empty() {
            description.push_str(&format!(" ({})", notes.join("; ")));
        }
        description.push('.');
        out.push_str(&format!("  {name}:\n"));
        match spec.kind {
            ParamKind::Boolean => out.push_str(&format!(
                "    Type: String\n    Default: {}\n    AllowedValues: [\"true\", \"false\"]\n",
                q(spec.default.unwrap_or("false"))
            )),
            ParamKind::Integer { min, max } => match spec.default.filter(|d| !d.is_empty()) {
                Some(d) => out.push_str(&format!(
                    "    Type: Number\n    Default: {d}\n    MinValue: {min}\n    MaxValue: {max}\n"
                )),
                None => out.push_str("    Type: String\n    Default: \"\"\n    AllowedPattern: \"^[0-9]*$\"\n"),
            },
            ParamKind::OneOf(words) => out.push_str(&format!(
                "    Type: String\n    Default: {}\n    AllowedValues: [{}]\n",
                q(spec.default.unwrap_or("")),
                words.iter().map(|w| q(w)).collect::<Vec<_>>().join(", ")
            )),
            ParamKind::Text | ParamKind::List => {
                let max = lengths
                    .iter()
                    .find(|(n, _)| *n == spec.name)
                    .map(|(_, l)| *l)
                    .unwrap_or(256);
                out.push_str(&format!(
                    "    Type: String\n    Default: {}\n    MaxLength: {max}\n",
                    q(spec.default.unwrap_or(""))
                ))
            }
        }
        out.push_str(&format!("    Description: {}\n", q(&description)));
    }
    if let Some(r) = m.remediation.filter(|r| !r.automatic_safe) {
        out.push_str(&format!(
            "  {p}AutomaticRemediation:\n    Type: String\n    Default: \"false\"\n    AllowedValues: [\"true\", \"false\"]\n    Description: {}\n",
            q(&format!(
                "Run {}'s remediation automatically (needs EnableRemediation; AutomaticRemediation does not cover it): it {}; {}.",
                m.id, r.summary, r.safety
            ))
        ));
    }
    for (name, default, description) in remediation_settings(m) {
        out.push_str(&format!(
            "  {}:\n    Type: String\n    Default: {}\n    Description: {}\n",
            setting_param(m, name),
            q(default),
            q(&format!(
                "{} (remediation of {}).",
                description.trim_end_matches('.'),
                m.id
            ))
        ));
    }
}

/// The `Setting` values of a rule's remediation: (name, default, description).
fn remediation_settings(m: &RuleMeta) -> Vec<(&'static str, &'static str, &'static str)> {
    m.remediation
        .iter()
        .flat_map(|r| r.parameters.iter())
        .filter_map(|(_, v)| match v {
            RemediationValue::Setting {
                name,
                default,
                description,
            } => Some((*name, *default, *description)),
            _ => None,
        })
        .collect()
}

/// The template parameter of a remediation `Setting`.
pub fn setting_param(m: &RuleMeta, name: &str) -> String {
    format!("{}Remediation{name}", pascal(m.id))
}

/// `RemediationRoleNeeded`: any rule's remediation is on (`Fn::Or` takes 2 to 10 conditions,
/// so longer lists are nested).
fn role_condition(metas: &[&RuleMeta], out: &mut String) {
    let mut terms: Vec<String> = metas
        .iter()
        .filter(|m| m.remediation.is_some())
        .map(|m| format!("!Condition {}RemediationOn", pascal(m.id)))
        .collect();
    if terms.is_empty() {
        out.push_str("  RemediationRoleNeeded: !Equals [\"true\", \"false\"]\n");
        return;
    }
    while terms.len() > 10 {
        terms = terms
            .chunks(10)
            .map(|c| {
                if c.len() == 1 {
                    c[0].clone()
                } else {
                    format!("!Or [{}]", c.join(", "))
                }
            })
            .collect();
    }
    if terms.len() == 1 {
        terms.push(terms[0].clone());
    }
    out.push_str(&format!("  RemediationRoleNeeded: !Or [{}]\n", terms.join(", ")));
}

fn conditions(m: &RuleMeta, out: &mut String) {
    let p = pascal(m.id);
    out.push_str(&format!("  {p}Enabled: !Equals [!Ref Enable{p}, \"true\"]\n"));
    out.push_str(&format!(
        "  {p}AccountRule: !And [!Condition {p}Enabled, !Condition AccountMode]\n  {p}OrganizationRule: !And [!Condition {p}Enabled, !Condition OrganizationRules]\n"
    ));
    for spec in m.parameters.iter().filter(|s| optional(s)) {
        let name = param_name(m, spec);
        out.push_str(&format!("  {name}Set: !Not [!Equals [!Ref {name}, \"\"]]\n"));
    }
    if let Some(r) = m.remediation {
        out.push_str(&format!(
            "  {p}RemediationOn: !And [!Condition RemediationEnabled, !Condition {p}AccountRule]\n"
        ));
        if !r.automatic_safe {
            out.push_str(&format!(
                "  {p}RemediationAutomatic: !Equals [!Ref {p}AutomaticRemediation, \"true\"]\n"
            ));
        }
    }
}

/// The role's statements: one per distinct resource list, in the order the permissions come.
fn permission_statements(m: &RuleMeta) -> Vec<(String, Vec<&'static str>, Vec<&'static str>)> {
    statements(&m.required_permissions())
}

/// Statements (sid, actions, resources) granting `permissions`: one per distinct resource list.
pub fn statements(permissions: &[Permission]) -> Vec<(String, Vec<&'static str>, Vec<&'static str>)> {
    let mut groups: Vec<(Vec<&'static str>, Vec<&'static str>)> = Vec::new();
    for perm in permissions {
        let resources = perm.resources.to_vec();
        match groups.iter_mut().find(|(r, _)| *r == resources) {
            Some((_, actions)) => actions.push(perm.action),
            None => groups.push((resources, vec![perm.action])),
        }
    }
    let mut used: Vec<String> = Vec::new();
    groups
        .into_iter()
        .map(|(resources, actions)| {
            let service = actions[0].split(':').next().unwrap_or("calls");
            let base = format!(
                "{}{}",
                pascal(service),
                if resources.is_empty() { "" } else { "Scoped" }
            );
            let mut sid = base.clone();
            let mut n = 2;
            while used.contains(&sid) {
                sid = format!("{base}{n}");
                n += 1;
            }
            used.push(sid.clone());
            (sid, actions, resources)
        })
        .collect()
}

fn function(m: &RuleMeta, out: &mut String) {
    let p = pascal(m.id);
    let id = m.id;
    out.push_str(&format!(
        "  # ---------------------------------------------------------------- {id}\n  {p}LogGroup:\n    Type: AWS::Logs::LogGroup\n    Condition: {p}Enabled\n    Properties:\n      RetentionInDays: !Ref LogRetentionDays\n"
    ));
    out.push_str(&format!(
        "  {p}Role:\n    Type: AWS::IAM::Role\n    Condition: {p}Enabled\n    Properties:\n      Path: !Sub \"/config-rules/${{AWS::StackName}}/\"\n      AssumeRolePolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Principal: {{ Service: lambda.amazonaws.com }}\n            Action: sts:AssumeRole\n      Policies:\n        - PolicyName: rule\n          PolicyDocument:\n            Version: \"2012-10-17\"\n            Statement:\n              - Sid: Logs\n                Effect: Allow\n                Action: [logs:CreateLogStream, logs:PutLogEvents]\n                Resource: !GetAtt {p}LogGroup.Arn\n"
    ));
    for (sid, actions, resources) in permission_statements(m) {
        out.push_str("              - ");
        out.push_str(statement_yaml(&sid, &actions, &resources, "                ").trim_start());
    }
    out.push_str("              - !If\n                - SuppressionsSet\n                - Sid: Suppressions\n                  Effect: Allow\n                  Action: [ssm:GetParameter]\n                  Resource: !Sub \"arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${SuppressionsParameter}\"\n                - !Ref AWS::NoValue\n");
    out.push_str("              - !If\n                - AccountMode\n                - !Ref AWS::NoValue\n                - Sid: MemberAccounts\n                  Effect: Allow\n                  Action: [sts:AssumeRole]\n                  Resource: !Sub \"arn:${AWS::Partition}:iam::*:role/${MemberRoleName}\"\n");
    out.push_str("              - !If\n                - AccountMode\n                - !Ref AWS::NoValue\n                - Sid: OrganizationAccounts\n                  Effect: Allow\n                  Action: [organizations:ListAccounts]\n                  Resource: \"*\"\n");
    out.push_str("              - !If\n                - TracingActive\n                - Sid: Tracing\n                  Effect: Allow\n                  Action: [xray:PutTraceSegments, xray:PutTelemetryRecords]\n                  Resource: \"*\"\n                - !Ref AWS::NoValue\n");
    out.push_str(&format!(
        "  {p}Function:\n    Type: AWS::Serverless::Function\n    Condition: {p}Enabled\n    Properties:\n      CodeUri: target/lambda/{id}/bootstrap.zip\n      Description: {}\n      Timeout: {}\n      Role: !GetAtt {p}Role.Arn\n      Tags:\n        # Exempt, by the suite's documented tag, from its own rules named in SELF_EXEMPTIONS\n        # (crates/config-rules/src/template.rs says why for each).\n        config-rules:exempt: {}\n      LoggingConfig:\n        LogFormat: JSON\n        ApplicationLogLevel: INFO\n        SystemLogLevel: WARN\n        LogGroup: !Ref {p}LogGroup\n",
        q(&format!("AWS Config rule {id}")),
        m.timeout_seconds,
        self_exemptions(m).join(" ")
    ));
    out.push_str(&format!(
        "  {p}Permission:\n    Type: AWS::Lambda::Permission\n    Condition: {p}Enabled\n    Properties:\n      Action: lambda:InvokeFunction\n      FunctionName: !GetAtt {p}Function.Arn\n      Principal: config.amazonaws.com\n      SourceAccount: !If [AccountMode, !Ref AWS::AccountId, !Ref AWS::NoValue]\n"
    ));
    out.push_str(&format!(
        "  {p}ConfigRule:\n    Type: AWS::Config::ConfigRule\n    Condition: {p}AccountRule\n    DependsOn: {p}Permission\n    Properties:\n      ConfigRuleName: !Sub \"${{NamePrefix}}{id}\"\n      Description: {}\n",
        q(m.summary)
    ));
    if m.trigger.on_change() {
        if m.resource_types.is_empty() {
            out.push_str(&format!(
                "      Scope:\n        ComplianceResourceTypes: !Ref {p}ResourceTypes\n"
            ));
        } else {
            out.push_str(&format!(
                "      Scope:\n        ComplianceResourceTypes: [{}]\n",
                m.resource_types.join(", ")
            ));
        }
    }
    if !m.parameters.is_empty() {
        out.push_str("      InputParameters:\n");
        for spec in m.parameters {
            let name = param_name(m, spec);
            if optional(spec) {
                out.push_str(&format!(
                    "        {}: !If [{name}Set, !Ref {name}, !Ref AWS::NoValue]\n",
                    spec.name
                ));
            } else {
                out.push_str(&format!("        {}: !Ref {name}\n", spec.name));
            }
        }
    }
    source(m, &format!("!GetAtt {p}Function.Arn"), "!Ref PeriodicFrequency", out);
    organization_rule(m, out);
}

/// The rule in every account of the organization (`DeploymentMode=organization`): Config in
/// each member account invokes this function.
fn organization_rule(m: &RuleMeta, out: &mut String) {
    let p = pascal(m.id);
    let id = m.id;
    out.push_str(&format!(
        "  {p}OrganizationConfigRule:\n    Type: AWS::Config::OrganizationConfigRule\n    Condition: {p}OrganizationRule\n    DependsOn: {p}Permission\n    Properties:\n      OrganizationConfigRuleName: !Sub \"${{NamePrefix}}{id}\"\n      ExcludedAccounts: !If [ExcludedAccountsSet, !Ref ExcludedAccounts, !Ref AWS::NoValue]\n      OrganizationCustomRuleMetadata:\n        Description: {}\n        LambdaFunctionArn: !GetAtt {p}Function.Arn\n        OrganizationConfigRuleTriggerTypes:\n",
        q(m.summary)
    ));
    if m.trigger.on_change() {
        out.push_str("          - ConfigurationItemChangeNotification\n          - OversizedConfigurationItemChangeNotification\n");
    }
    if m.trigger.periodic() {
        out.push_str("          - ScheduledNotification\n        MaximumExecutionFrequency: !Ref PeriodicFrequency\n");
    }
    if m.trigger.on_change() {
        if m.resource_types.is_empty() {
            out.push_str(&format!("        ResourceTypesScope: !Ref {p}ResourceTypes\n"));
        } else {
            out.push_str(&format!(
                "        ResourceTypesScope: [{}]\n",
                m.resource_types.join(", ")
            ));
        }
    }
    if !m.parameters.is_empty() {
        // A JSON string here, not a map: every variant of set and unset optional parameters,
        // each serialized by CloudFormation (AWS::LanguageExtensions), so unset ones are left
        // out as in the account-mode rule and values are escaped.
        let optional: Vec<&ParamSpec> = m.parameters.iter().filter(|s| optional(s)).collect();
        out.push_str("        InputParameters:");
        input_parameters_variant(m, &optional, &mut Vec::new(), 10, out);
    }
}

/// `InputParameters` for the optional parameters in `set` (the rest unset), nesting `Fn::If`
/// over the remaining `optional` ones.
fn input_parameters_variant<'a>(
    m: &RuleMeta,
    optional_left: &[&'a ParamSpec],
    set: &mut Vec<&'a ParamSpec>,
    indent: usize,
    out: &mut String,
) {
    let pad = " ".repeat(indent);
    match optional_left.split_first() {
        Some((first, rest)) => {
            out.push_str(&format!(
                "\n{pad}Fn::If:\n{pad}  - {}Set\n{pad}  -",
                param_name(m, first)
            ));
            set.push(first);
            input_parameters_variant(m, rest, set, indent + 4, out);
            set.pop();
            out.push_str(&format!("{pad}  -"));
            input_parameters_variant(m, rest, set, indent + 4, out);
        }
        None => {
            let given: Vec<&ParamSpec> = m
                .parameters
                .iter()
                .filter(|spec| !optional(spec) || set.iter().any(|s| s.name == spec.name))
                .collect();
            if given.is_empty() {
                out.push_str(&format!("\n{pad}Ref: AWS::NoValue\n"));
                return;
            }
            out.push_str(&format!("\n{pad}Fn::ToJsonString:\n"));
            for spec in given {
                out.push_str(&format!("{pad}  {}: !Ref {}\n", spec.name, param_name(m, spec)));
            }
        }
    }
}

/// The remediation role: trusted by SSM Automation in this account, allowed exactly what the
/// enabled rules' documents call.
fn remediation_role(metas: &[&RuleMeta], out: &mut String) {
    out.push_str("  RemediationRole:\n    Type: AWS::IAM::Role\n    Condition: RemediationRoleNeeded\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Principal: { Service: ssm.amazonaws.com }\n            Action: sts:AssumeRole\n            Condition:\n              StringEquals: { \"aws:SourceAccount\": !Ref AWS::AccountId }\n      Policies:\n        - PolicyName: remediate\n          PolicyDocument:\n            Version: \"2012-10-17\"\n            Statement:\n");
    for m in metas {
        let Some(r) = m.remediation else { continue };
        let p = pascal(m.id);
        for (sid, actions, resources) in statements(r.permissions) {
            conditional_statement(
                &format!("{p}RemediationOn"),
                &format!("{p}{sid}"),
                &actions,
                &resources,
                out,
            );
        }
    }
}

/// The document is embedded as an object: CloudFormation sends it to SSM as JSON, the
/// `DocumentFormat` default (the same document as the rule's YAML file).
fn remediation(m: &RuleMeta, out: &mut String) {
    let Some(r) = m.remediation else { return };
    let p = pascal(m.id);
    out.push_str(&format!(
        "  {p}RemediationDocument:\n    Type: AWS::SSM::Document\n    Condition: {p}RemediationOn\n    Properties:\n      DocumentType: Automation\n      Content:\n"
    ));
    for line in r.document.lines() {
        if line.trim().is_empty() {
            out.push('\n');
        } else {
            out.push_str(&format!("        {line}\n"));
        }
    }
    let automatic = if r.automatic_safe {
        "RemediationAutomatic".to_string()
    } else {
        format!("{p}RemediationAutomatic")
    };
    out.push_str(&format!(
        "  {p}RemediationConfiguration:\n    Type: AWS::Config::RemediationConfiguration\n    Condition: {p}RemediationOn\n    Properties:\n      ConfigRuleName: !Ref {p}ConfigRule\n      TargetType: SSM_DOCUMENT\n      TargetId: !Ref {p}RemediationDocument\n      Automatic: !If [{automatic}, true, false]\n      MaximumAutomaticAttempts: 3\n      RetryAttemptSeconds: 60\n      Parameters:\n        AutomationAssumeRole:\n          StaticValue: {{ Values: [!GetAtt RemediationRole.Arn] }}\n"
    ));
    for (name, value) in r.parameters {
        let expression = match value {
            RemediationValue::ResourceId => {
                out.push_str(&format!(
                    "        {name}:\n          ResourceValue: {{ Value: RESOURCE_ID }}\n"
                ));
                continue;
            }
            RemediationValue::RuleParameter(param) => {
                let spec = m.parameters.iter().find(|s| s.name == *param);
                let template_param = spec.map(|s| param_name(m, s)).unwrap_or_else(|| param.to_string());
                format!("!Ref {template_param}")
            }
            RemediationValue::Setting { name: setting, .. } => format!("!Ref {}", setting_param(m, setting)),
            RemediationValue::StackValue(expression) => expression.to_string(),
        };
        out.push_str(&format!(
            "        {name}:\n          StaticValue: {{ Values: [{expression}] }}\n"
        ));
    }
}

/// The files besides template.yaml that are generated whole: (file name, text).
pub fn generated_files(metas: &[&RuleMeta]) -> Vec<(&'static str, String)> {
    vec![
        ("member-role.yaml", member_role_template(metas)),
        ("conformance-pack.yaml", conformance_pack(metas)),
    ]
}

const GENERATED_NOTE: &str = "# Generated by `config-rules template --write` from the rules' metadata (`make docs`): edit\n# the rules, not this file; a test fails when it drifts.\n";

/// Resources in `Fn::Sub` syntax with `${AWS::...}` of the member account itself.
fn statement_yaml(sid: &str, actions: &[&str], resources: &[&str], indent: &str) -> String {
    let mut out = format!(
        "{indent}Sid: {sid}\n{indent}Effect: Allow\n{indent}Action: [{}]\n",
        actions.join(", ")
    );
    if resources.is_empty() {
        out.push_str(&format!("{indent}Resource: \"*\"\n"));
    } else {
        out.push_str(&format!("{indent}Resource:\n"));
        for r in resources {
            out.push_str(&format!("{indent}  - !Sub {}\n", q(r)));
        }
    }
    out
}

/// A Config rule's `Source`: the custom Lambda function and the messages it gets, for the
/// rule's triggers.
fn source(m: &RuleMeta, function: &str, frequency: &str, out: &mut String) {
    out.push_str(&format!(
        "      Source:\n        Owner: CUSTOM_LAMBDA\n        SourceIdentifier: {function}\n        SourceDetails:\n"
    ));
    if m.trigger.on_change() {
        for t in [
            "ConfigurationItemChangeNotification",
            "OversizedConfigurationItemChangeNotification",
        ] {
            out.push_str(&format!(
                "          - EventSource: aws.config\n            MessageType: {t}\n"
            ));
        }
    }
    if m.trigger.periodic() {
        out.push_str(&format!(
            "          - EventSource: aws.config\n            MessageType: ScheduledNotification\n            MaximumExecutionFrequency: {frequency}\n"
        ));
    }
}

/// A policy statement present only under `condition` (`!If [condition, statement, NoValue]`),
/// as an item of a role's `Statement` list.
fn conditional_statement(condition: &str, sid: &str, actions: &[&str], resources: &[&str], out: &mut String) {
    out.push_str(&format!(
        "              - !If\n                - {condition}\n                - "
    ));
    out.push_str(statement_yaml(sid, actions, resources, "                  ").trim_start());
    out.push_str("                - !Ref AWS::NoValue\n");
}

/// member-role.yaml: the role each member account provides for the central functions
/// (`DeploymentMode=organization`), deployed by a service-managed StackSet. It allows exactly
/// what the enabled rules call, plus `config:PutEvaluations`, and trusts only the roles of the
/// central stack's functions.
pub fn member_role_template(metas: &[&RuleMeta]) -> String {
    let mut out = String::from("AWSTemplateFormatVersion: \"2010-09-09\"\n");
    out.push_str(GENERATED_NOTE);
    out.push_str("Description: >-\n  The role the config-rules functions of the management (or delegated administrator) account\n  assume in this member account: what the enabled rules read, and PutEvaluations. Deploy it to\n  every member account with a service-managed StackSet with automatic deployment (docs/organizations.md).\n\nParameters:\n  ManagementAccountId:\n    Type: String\n    AllowedPattern: \"^[0-9]{12}$\"\n    Description: The account that runs the functions (the management or a delegated administrator account).\n  CentralStackName:\n    Type: String\n    AllowedPattern: \"^[A-Za-z][A-Za-z0-9-]{0,127}$\"\n    Description: The stack that deployed the functions (their roles live under the path /config-rules/STACK/).\n  MemberRoleName:\n    Type: String\n    Default: config-rules-member\n    AllowedPattern: \"^[\\\\w+=,.@-]{1,64}$\"\n    Description: The role's name; the central stack's MemberRoleName.\n");
    for m in metas {
        let p = pascal(m.id);
        let opt_in = m.parameters.iter().any(|s| s.required);
        out.push_str(&format!(
            "  Enable{p}:\n    Type: String\n    Default: \"{}\"\n    AllowedValues: [\"true\", \"false\"]\n    Description: {}\n",
            if opt_in { "false" } else { "true" },
            q(&format!("Allow what {} reads (as the central stack's Enable{p}).", m.id))
        ));
    }
    out.push_str("\nConditions:\n");
    for m in metas {
        let p = pascal(m.id);
        out.push_str(&format!("  {p}Enabled: !Equals [!Ref Enable{p}, \"true\"]\n"));
    }
    out.push_str("\nResources:\n  MemberRole:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: !Ref MemberRoleName\n      Description: Assumed by the config-rules functions of the management account.\n      AssumeRolePolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Principal: { AWS: !Sub \"arn:${AWS::Partition}:iam::${ManagementAccountId}:root\" }\n            Action: sts:AssumeRole\n            Condition:\n              ArnLike:\n                \"aws:PrincipalArn\": !Sub \"arn:${AWS::Partition}:iam::${ManagementAccountId}:role/config-rules/${CentralStackName}/*\"\n      Policies:\n        - PolicyName: config-rules\n          PolicyDocument:\n            Version: \"2012-10-17\"\n            Statement:\n              - Sid: PostResults\n                Effect: Allow\n                Action: [config:PutEvaluations]\n                Resource: \"*\"\n");
    for m in metas {
        let p = pascal(m.id);
        let perms: Vec<Permission> = m
            .required_permissions()
            .into_iter()
            .filter(|perm| perm.action != "config:PutEvaluations")
            .collect();
        for (sid, actions, resources) in statements(&perms) {
            conditional_statement(
                &format!("{p}Enabled"),
                &format!("{p}{sid}"),
                &actions,
                &resources,
                &mut out,
            );
        }
    }
    out.push_str("\nOutputs:\n  MemberRoleArn:\n    Value: !GetAtt MemberRole.Arn\n");
    out
}

/// conformance-pack.yaml: the suite as one organization conformance pack over the central
/// functions (`DeploymentMode=organization-pack`), so the Config console shows one compliance
/// score per account. Function ARNs and rule parameters are the pack's input parameters;
/// optional rule parameters are left unset.
pub fn conformance_pack(metas: &[&RuleMeta]) -> String {
    let mut out = String::from(GENERATED_NOTE);
    out.push_str("# Deploy: docs/organizations.md (put-organization-conformance-pack, with each rule's\n# <Rule>FunctionArn from the central stack's outputs).\nParameters:\n");
    for m in metas {
        let p = pascal(m.id);
        out.push_str(&format!(
            "  {p}FunctionArn:\n    Type: String\n    Description: {}\n",
            q(&format!("The central stack's {p}FunctionArn output."))
        ));
        for spec in m.parameters.iter().filter(|s| !optional(s)) {
            out.push_str(&format!("  {}:\n    Type: String\n", param_name(m, spec)));
            match spec.default.filter(|_| !spec.required) {
                Some(default) => out.push_str(&format!("    Default: {}\n", q(default))),
                // Required: the deployer passes it as an input parameter.
                None => out.push_str(&format!(
                    "    Description: {}\n",
                    q(&format!("Required: {}", spec.description))
                )),
            }
        }
    }
    out.push_str("Resources:\n");
    for m in metas {
        let p = pascal(m.id);
        out.push_str(&format!(
            "  {p}:\n    Type: AWS::Config::ConfigRule\n    Properties:\n      ConfigRuleName: {}\n      Description: {}\n",
            m.id,
            q(m.summary)
        ));
        if m.trigger.on_change() {
            let types = if m.resource_types.is_empty() {
                m.default_scope
            } else {
                m.resource_types
            };
            out.push_str(&format!(
                "      Scope:\n        ComplianceResourceTypes: [{}]\n",
                types.join(", ")
            ));
        }
        let given: Vec<&ParamSpec> = m.parameters.iter().filter(|s| !optional(s)).collect();
        if !given.is_empty() {
            out.push_str("      InputParameters:\n");
            for spec in given {
                out.push_str(&format!("        {}: {{ Ref: {} }}\n", spec.name, param_name(m, spec)));
            }
        }
        source(m, &format!("{{ Ref: {p}FunctionArn }}"), "TwentyFour_Hours", &mut out);
    }
    out
}

/// `text` (template.yaml) with every generated block rewritten; `Err` names a missing marker.
pub fn with_blocks(text: &str, metas: &[&RuleMeta]) -> Result<String, String> {
    let mut out = text.to_string();
    for name in BLOCKS {
        let begin = format!("{BEGIN}{name}");
        let end = format!("{END}{name}");
        let start = out
            .find(&begin)
            .ok_or_else(|| format!("template.yaml lacks the marker `{begin}`"))?;
        let body_start = out[start..].find('\n').map(|i| start + i + 1).unwrap_or(out.len());
        let end_at = out[body_start..]
            .find(&end)
            .map(|i| body_start + i)
            .ok_or_else(|| format!("template.yaml lacks the marker `{end}`"))?;
        // The END marker's own indentation stays in place.
        let line_start = out[..end_at].rfind('\n').map(|i| i + 1).unwrap_or(0);
        let body = block(name, metas).unwrap_or_default();
        out.replace_range(body_start..line_start, &body);
    }
    Ok(out)
}

/// The suite's own rules its Lambda functions are exempt from (by the `config-rules:exempt`
/// tag, which the deployed rules and `evaluate --template` read alike), each with its reason.
/// `make test` checks template.yaml with every rule (tests/template_check.rs): what is not
/// exempted here must pass.
pub const SELF_EXEMPTIONS: &[(&str, &str)] = &[
    (
        "lambda-env-encrypted-with-cmk",
        "the variables hold a role name, account ids and an SSM parameter's name, no secret; a customer managed key would add a key and its policy to every deploy for nothing to protect",
    ),
    (
        "lambda-concurrency-limited",
        "Config alone invokes the rule functions; reserving concurrency for every rule function takes it from the account's unreserved pool, and in accounts at the default quota the deploy would fail (the unreserved pool may not drop below 100)",
    ),
    (
        "lambda-tracing-enabled",
        "Config alone invokes the rule functions, so there is no user request to follow across services; tracing every sweep would cost X-Ray traces for little (the Tracing parameter turns it on)",
    ),
    (
        "lambda-code-signing-enabled",
        "sam build makes unsigned artifacts; signing needs an AWS Signer profile of the deploying team (add CodeSigningConfigArn to the functions to enforce it)",
    ),
    (
        "lambda-async-failures-captured",
        "Config invokes the rule functions asynchronously; an invocation that still fails after Lambda's retries logs an error saying how many evaluations were not posted, and the resource is judged again on its next change or a re-evaluation; a failure queue per rule would hold Config events nobody replays",
    ),
];

/// The exemptions of one rule's function: [`SELF_EXEMPTIONS`], and the timeout rule for the
/// sweeps that call AWS per resource and need longer than an API-facing function should have.
pub fn self_exemptions(m: &RuleMeta) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = SELF_EXEMPTIONS.iter().map(|(id, _)| *id).collect();
    if m.timeout_seconds > TIMEOUT_RULE_DEFAULT_SECONDS {
        out.push("lambda-timeout-within-limit");
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_rules_input_parameters_fit_configs_limit() {
        for m in crate::catalog::metas() {
            // The longest InputParameters the template's limits allow.
            let mut worst = serde_json::Map::new();
            let lengths = max_lengths(m);
            for spec in m.parameters {
                let value = match spec.kind {
                    ParamKind::Boolean => "false".to_string(),
                    ParamKind::Integer { min, max } => if min.to_string().len() > max.to_string().len() {
                        min
                    } else {
                        max
                    }
                    .to_string(),
                    ParamKind::OneOf(words) => words.iter().max_by_key(|w| w.len()).unwrap().to_string(),
                    ParamKind::Text => "\"".repeat(lengths.iter().find(|(n, _)| *n == spec.name).unwrap().1),
                    ParamKind::List => "a".repeat(lengths.iter().find(|(n, _)| *n == spec.name).unwrap().1),
                };
                worst.insert(spec.name.to_string(), serde_json::Value::String(value));
            }
            let json = serde_json::Value::Object(worst).to_string();
            assert!(
                json.chars().count() <= MAX_INPUT_PARAMETERS_CHARS,
                "{}: {} characters",
                m.id,
                json.len()
            );
        }
    }

    #[test]
    fn blocks_replace_only_what_is_between_their_markers() {
        let mut text = String::new();
        for name in BLOCKS {
            text.push_str(&format!(
                "head {name}\n  {BEGIN}{name} (note)\n  stale\n  {END}{name}\ntail\n"
            ));
        }
        let metas = crate::catalog::metas();
        let out = with_blocks(&text, &metas).unwrap();
        assert!(!out.contains("stale"));
        assert_eq!(with_blocks(&out, &metas).unwrap(), out, "idempotent");
        assert!(out.contains("  # END GENERATED outputs\ntail\n"));
        assert_eq!(
            with_blocks("no markers", &metas).unwrap_err(),
            "template.yaml lacks the marker `# BEGIN GENERATED parameter-groups`"
        );
    }
}
