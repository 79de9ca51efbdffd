//! `config-rules`: list, explain and run the suite's AWS Config rules locally, offline on
//! events and items, or against a live account.

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use config_rules::catalog;
use config_rules::docs;
use config_rules::report;
use config_rules::run::{evaluate_items, ParamsByRule, RuleRun};
use config_rules::scan::{self, Source};
use config_rules::CliError;
use config_rules_core::{AnyRule, Compliance, RuleEvent, Severity};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::Value;

#[derive(Parser)]
#[command(
    name = "config-rules",
    version,
    about = "Serverless security AWS Config rules, run locally or against a live account"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// The longest one AWS call may take, retries included, in seconds (connecting gives up
    /// after 3 s, one attempt after 20 s or this, whichever is less).
    #[arg(long, global = true, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    timeout: u64,
    /// The profile of the shared AWS configuration to use (default: the SDK's chain:
    /// AWS_PROFILE, environment credentials, ...).
    #[arg(long, global = true)]
    profile: Option<String>,
}

/// How the CLI reaches AWS: time limits and the profile.
struct AwsOpts {
    timeouts: config_rules_core::runner::Timeouts,
    profile: Option<String>,
}

impl AwsOpts {
    async fn sdk(&self, region: Option<String>) -> config_rules_core::SdkConfig {
        config_rules_core::runner::load_sdk_config_for(region, self.profile.as_deref(), self.timeouts).await
    }
}

#[derive(Subcommand)]
enum Command {
    /// Every rule: id, resource types, trigger, parameters with defaults, summary.
    List,
    /// A rule's full documentation.
    Explain { rule: String },
    /// Evaluate one Config event (exactly what the Lambda would post) or configuration items.
    Evaluate(EvaluateArgs),
    /// Evaluate a live account.
    Scan(ScanArgs),
    /// Check or rewrite the per-rule blocks of template.yaml, member-role.yaml and
    /// conformance-pack.yaml (generated from the rules' metadata).
    #[command(hide = true)]
    Template {
        /// Rewrite template.yaml instead of checking it.
        #[arg(long)]
        write: bool,
        /// The repository root.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Check or rewrite the generated docs (docs/rules/*.md, README rule table); for maintainers.
    #[command(hide = true)]
    Docs {
        /// Rewrite the files under this folder instead of checking them.
        #[arg(long)]
        write: bool,
        /// The repository root.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

#[derive(Args)]
#[command(group(clap::ArgGroup::new("input").required(true).args(["event", "items", "template"])))]
struct EvaluateArgs {
    /// The rule to run on --event.
    #[arg(long, requires = "event")]
    rule: Option<String>,
    /// A Config rule event (JSON), as Lambda receives it.
    #[arg(long)]
    event: Option<PathBuf>,
    /// Rule parameters for --event, a JSON object; replaces the event's ruleParameters.
    #[arg(long, requires = "event")]
    params: Option<String>,
    /// A Config snapshot, a GetResourceConfigHistory/BatchGetResourceConfig response, an item, or a folder of them.
    #[arg(long)]
    items: Option<PathBuf>,
    /// A CloudFormation or SAM template (YAML or JSON), judged before deploy: each result points
    /// at the resource's line.
    #[arg(long)]
    template: Option<PathBuf>,
    /// Values of the template's parameters (and pseudo parameters such as AWS::Region),
    /// K=V,K2=V2. Default: each parameter's Default; a parameter without one is unknown.
    #[arg(long, value_delimiter = ',', requires = "template", value_name = "K=V")]
    template_parameters: Vec<String>,
    /// Run account-level rules against the live account (with --items).
    #[arg(long, requires = "items")]
    live: bool,
    /// Judge dates (runtime deprecation, key age) as of this time, RFC 3339
    /// (2026-11-28T00:00:00Z), for reproducible runs. Default: now.
    #[arg(long, value_parser = parse_time)]
    at: Option<chrono::DateTime<chrono::Utc>>,
    #[command(flatten)]
    selection: Selection,
    #[command(flatten)]
    output: OutputArgs,
}

#[derive(Args)]
struct ScanArgs {
    /// The region to scan (default: the SDK's region chain).
    #[arg(long)]
    region: Option<String>,
    /// Where items come from.
    #[arg(long, value_enum, default_value_t = Source::Config)]
    source: Source,
    /// Judge dates (runtime deprecation, key age) as of this time, RFC 3339. Default: now.
    #[arg(long, value_parser = parse_time)]
    at: Option<chrono::DateTime<chrono::Utc>>,
    /// Scan these accounts (comma list of ids), each through --role-name (your own account
    /// with your credentials).
    #[arg(long, value_delimiter = ',', conflicts_with = "organization")]
    accounts: Vec<String>,
    /// Scan every active account of the organization (Organizations ListAccounts: run it with
    /// credentials of the management or a delegated administrator account).
    #[arg(long)]
    organization: bool,
    /// The role to assume in each scanned account (member-role.yaml's MemberRoleName).
    #[arg(long, default_value = "config-rules-member")]
    role_name: String,
    /// The Config aggregator to read with --source aggregator.
    #[arg(long)]
    aggregator: Option<String>,
    /// Scan these regions (comma list), or `all` the regions enabled in the account
    /// (AWS Account Management ListRegions); one report part per account and region.
    #[arg(long, value_delimiter = ',', conflicts_with = "region")]
    regions: Vec<String>,
    #[command(flatten)]
    selection: Selection,
    #[command(flatten)]
    output: OutputArgs,
}

/// How many accounts a scan of several accounts works on at once.
const ACCOUNT_CONCURRENCY: usize = 4;

#[derive(Args)]
struct Selection {
    /// Only these rules (comma list of ids).
    #[arg(long, value_delimiter = ',')]
    rules: Vec<String>,
    /// Parameters per rule: {"rule-id": {"param": "value"}}.
    #[arg(long)]
    params_file: Option<PathBuf>,
}

#[derive(Args)]
struct OutputArgs {
    /// The report's format (default: table; evaluations, what the function would post, for
    /// --event).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Write the report here instead of standard output.
    #[arg(long)]
    output: Option<PathBuf>,
    /// Exit with code 1 when a NON_COMPLIANT finding of at least this severity is reported
    /// (`any` or `non-compliant`: any finding). Default: exit 0 whatever the results.
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Report only the rules of at least this severity (default: every rule).
    #[arg(long, value_enum)]
    min_severity: Option<MinSeverity>,
    /// Accepted risks (default: .config-rules.yaml in this directory or the nearest parent).
    #[arg(long)]
    suppressions: Option<PathBuf>,
    /// Apply no suppressions file.
    #[arg(long, conflicts_with = "suppressions")]
    no_suppressions: bool,
    /// Write today's unsuppressed non-compliant findings to FILE as suppressions (reason
    /// "baseline"), to fail only on new findings from then on.
    #[arg(long)]
    write_baseline: Option<PathBuf>,
    /// List every result in the table (default: non-compliant and suppressed findings, with
    /// counts for the rest).
    #[arg(long)]
    all: bool,
    /// Print nothing on standard error but errors (no progress, no coverage or summary lines).
    #[arg(long, short)]
    quiet: bool,
    /// Colour the table: auto (a terminal, unless NO_COLOR is set; CLICOLOR_FORCE forces it),
    /// always, never.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto)]
    color: ColorWhen,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Table,
    Json,
    Sarif,
    Junit,
    /// For CI job summaries and pull-request comments.
    Markdown,
    /// One self-contained page: summaries per practice and rule, a filterable results table.
    Html,
    /// The PutEvaluations bodies the Lambda function would post (the default for --event).
    Evaluations,
    /// GitHub Actions annotations (workflow commands) on the template's lines.
    Github,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    /// Any NON_COMPLIANT finding (`non-compliant` is the same).
    #[value(alias = "non-compliant")]
    Any,
    Low,
    Medium,
    High,
    Critical,
}

impl FailOn {
    /// The least severity that fails the run.
    fn threshold(self) -> Severity {
        match self {
            FailOn::Any | FailOn::Low => Severity::Low,
            FailOn::Medium => Severity::Medium,
            FailOn::High => Severity::High,
            FailOn::Critical => Severity::Critical,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum MinSeverity {
    Low,
    Medium,
    High,
    Critical,
}

impl MinSeverity {
    fn severity(self) -> Severity {
        match self {
            MinSeverity::Low => Severity::Low,
            MinSeverity::Medium => Severity::Medium,
            MinSeverity::High => Severity::High,
            MinSeverity::Critical => Severity::Critical,
        }
    }
}

fn parse_time(text: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| format!("not an RFC 3339 time such as 2026-11-28T00:00:00Z: {e}"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("config-rules: cannot start the async runtime: {e}");
            return ExitCode::from(3);
        }
    };
    let timeouts = config_rules_core::runner::Timeouts {
        operation: std::time::Duration::from_secs(cli.timeout),
        ..config_rules_core::runner::Timeouts::default()
    };
    let aws = AwsOpts {
        timeouts,
        profile: cli.profile,
    };
    match runtime.block_on(dispatch(cli.command, &aws)) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            let text = err.to_string().replace('\n', " ");
            eprintln!("config-rules: {text}");
            ExitCode::from(err.exit_code())
        }
    }
}

async fn dispatch(command: Command, aws: &AwsOpts) -> Result<u8, CliError> {
    match command {
        Command::List => {
            write_stdout(&list())?;
            Ok(0)
        }
        Command::Explain { rule } => {
            let meta = catalog::meta(&rule).ok_or_else(|| unknown_rule(&rule))?;
            write_stdout(&format!("Severity: {}\n\n{}", meta.severity.as_str(), meta.docs()))?;
            Ok(0)
        }
        Command::Docs { write, root } => write_docs(&root, write),
        Command::Template { write, root } => write_template(&root, write),
        Command::Evaluate(args) => {
            check_mode(&args)?;
            if args.event.is_some() {
                evaluate_event(args, aws).await
            } else if args.template.is_some() {
                evaluate_template(args).await
            } else {
                evaluate_item_files(args, aws).await
            }
        }
        Command::Scan(args) => scan(args, aws).await,
    }
}

fn unknown_rule(id: &str) -> CliError {
    let ids: Vec<&str> = catalog::metas().iter().map(|m| m.id).collect();
    // strsim is what clap itself uses for its own did-you-mean.
    let nearest = ids
        .iter()
        .map(|known| (strsim::jaro_winkler(id, known), *known))
        .filter(|(score, _)| *score > 0.9)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match nearest {
        Some((_, known)) => CliError::Input(format!(
            "unknown rule {:?}: did you mean {known}? (rules: {})",
            config_rules_core::bounded(id, 100),
            ids.join(", ")
        )),
        None => CliError::Input(format!(
            "unknown rule {:?} (rules: {})",
            config_rules_core::bounded(id, 100),
            ids.join(", ")
        )),
    }
}

fn list() -> String {
    let mut out = String::new();
    for m in catalog::metas() {
        out.push_str(&format!("{}\n  {}\n", m.id, m.summary));
        out.push_str(&format!("  severity:       {}\n", m.severity.as_str()));
        out.push_str(&format!("  resource types: {}\n", m.resource_types.join(", ")));
        out.push_str(&format!("  trigger:        {}\n", m.trigger.describe()));
        out.push_str(&format!(
            "  parameters:     {}\n\n",
            docs::params_cell(m).replace('`', "")
        ));
    }
    out
}

fn write_docs(root: &std::path::Path, write: bool) -> Result<u8, CliError> {
    let io = |e: std::io::Error, p: &std::path::Path| CliError::Input(format!("{}: {e}", p.display()));
    let metas = catalog::metas();
    let mut stale = Vec::new();
    let dir = root.join("docs/rules");
    for m in &metas {
        let path = dir.join(format!("{}.md", m.id));
        let page = docs::rule_page(m);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(page.as_str()) {
            stale.push(path.display().to_string());
            if write {
                std::fs::create_dir_all(&dir).map_err(|e| io(e, &dir))?;
                std::fs::write(&path, page).map_err(|e| io(e, &path))?;
            }
        }
    }
    let readme = root.join("README.md");
    let text = std::fs::read_to_string(&readme).map_err(|e| io(e, &readme))?;
    let updated = docs::with_rule_table(&text, &metas).ok_or_else(|| {
        CliError::Input(format!(
            "{} lacks the markers {} / {}",
            readme.display(),
            docs::TABLE_START,
            docs::TABLE_END
        ))
    })?;
    if updated != text {
        stale.push(readme.display().to_string());
        if write {
            std::fs::write(&readme, updated).map_err(|e| io(e, &readme))?;
        }
    }
    for s in &stale {
        println!("{} {s}", if write { "wrote" } else { "out of date:" });
    }
    Ok(if stale.is_empty() || write { 0 } else { 1 })
}

fn write_template(root: &std::path::Path, write: bool) -> Result<u8, CliError> {
    let path = root.join("template.yaml");
    let text = std::fs::read_to_string(&path).map_err(|e| CliError::Input(format!("{}: {e}", path.display())))?;
    let metas = catalog::metas();
    let mut files = vec![(
        path,
        config_rules::template::with_blocks(&text, &metas).map_err(CliError::Input)?,
    )];
    for (name, generated) in config_rules::template::generated_files(&metas) {
        files.push((root.join(name), generated));
    }
    let mut stale = 0;
    for (path, updated) in files {
        if std::fs::read_to_string(&path).ok().as_deref() == Some(updated.as_str()) {
            continue;
        }
        if write {
            std::fs::write(&path, updated).map_err(|e| CliError::Input(format!("{}: {e}", path.display())))?;
            println!("wrote {}", path.display());
        } else {
            println!("out of date: {} (run `make docs`)", path.display());
            stale += 1;
        }
    }
    Ok(u8::from(stale > 0))
}

fn read_json(path: &std::path::Path, what: &str) -> Result<Value, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| CliError::Input(format!("{what} {}: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| CliError::Input(format!("{what} {}: not JSON: {e}", path.display())))
}

/// Options that belong to the other input mode are refused, never silently ignored.
fn check_mode(args: &EvaluateArgs) -> Result<(), CliError> {
    let wrong = |option: &str, mode: &str, instead: &str| {
        Err(CliError::Input(format!(
            "{option} does not apply to evaluate {mode}; {instead}"
        )))
    };
    if args.event.is_some() {
        if !args.selection.rules.is_empty() {
            return wrong("--rules", "--event", "name the rule with --rule");
        }
        if args.selection.params_file.is_some() {
            return wrong("--params-file", "--event", "give parameters with --params");
        }
        if args.at.is_some() {
            return wrong(
                "--at",
                "--event",
                "the event's notificationCreationTime is the evaluation time",
            );
        }
    } else {
        let mode = if args.template.is_some() {
            "--template"
        } else {
            "--items"
        };
        if args.rule.is_some() {
            return wrong("--rule", mode, "choose rules with --rules a,b");
        }
        if args.params.is_some() {
            return wrong("--params", mode, "give parameters per rule with --params-file");
        }
        if args.template.is_some() && args.live {
            return wrong(
                "--live",
                mode,
                "a template is judged on its own; scan the account for what is deployed",
            );
        }
    }
    Ok(())
}

async fn evaluate_event(args: EvaluateArgs, aws: &AwsOpts) -> Result<u8, CliError> {
    let rule_id = args
        .rule
        .ok_or_else(|| CliError::Input("--event needs --rule".to_string()))?;
    catalog::meta(&rule_id).ok_or_else(|| unknown_rule(&rule_id))?;
    let path = args
        .event
        .ok_or_else(|| CliError::Input("--event is required".to_string()))?;
    let raw = read_json(&path, "event")?;
    let mut event = RuleEvent::parse(&raw).map_err(CliError::Rule)?;
    if let Some(params) = args.params {
        event.rule_parameters =
            Some(serde_json::from_str(&params).map_err(|e| CliError::Input(format!("--params: not JSON: {e}")))?);
    }
    let sdk = aws.sdk(None).await;
    let rule = catalog::build(&rule_id, &sdk).ok_or_else(|| unknown_rule(&rule_id))?;
    let api = config_rules_core::SdkConfigApi::new(aws_sdk_config::Client::new(&sdk));
    let evaluations = rule.evaluate_event(&event, &api).await.map_err(CliError::Rule)?;
    let format = args.output.format.unwrap_or(Format::Evaluations);
    let runs = vec![RuleRun {
        rule_id: rule.meta().id,
        evaluations: evaluations.clone(),
        note: None,
        error: None,
        account: None,
        region: None,
        suppressed: Vec::new(),
        unknown: Vec::new(),
    }];
    let ctx = report::Context {
        mode: "event",
        generated_at: chrono::Utc::now(),
    };
    let coverage = report::Coverage {
        account: event.account_id.clone(),
        ..Default::default()
    };
    let text = render(
        &runs,
        &report::Names::new(),
        &coverage,
        format,
        color_for(&args.output),
        true,
        &ctx,
    );
    emit(&args.output, &text)?;
    Ok(exit_for(&runs, args.output.fail_on))
}

fn params_file(selection: &Selection) -> Result<ParamsByRule, CliError> {
    let Some(path) = &selection.params_file else {
        return Ok(ParamsByRule::new());
    };
    let value = read_json(path, "params file")?;
    let Value::Object(map) = value else {
        return Err(CliError::Input(format!(
            "params file {}: expected {{\"rule-id\": {{...}}}}",
            path.display()
        )));
    };
    for key in map.keys() {
        catalog::meta(key).ok_or_else(|| unknown_rule(key))?;
    }
    Ok(map.into_iter().collect())
}

fn selected_rules(
    selection: &Selection,
    sdk: &config_rules_core::SdkConfig,
) -> Result<Vec<Box<dyn AnyRule>>, CliError> {
    let ids: Vec<String> = if selection.rules.is_empty() {
        catalog::metas().iter().map(|m| m.id.to_string()).collect()
    } else {
        selection.rules.clone()
    };
    ids.iter()
        .map(|id| catalog::build(id, sdk).ok_or_else(|| unknown_rule(id)))
        .collect()
}

async fn evaluate_item_files(args: EvaluateArgs, aws: &AwsOpts) -> Result<u8, CliError> {
    let now = args.at.unwrap_or_else(chrono::Utc::now);
    let path = args
        .items
        .ok_or_else(|| CliError::Input("--items is required".to_string()))?;
    let params = params_file(&args.selection)?;
    let sdk = aws.sdk(None).await;
    let rules = selected_rules(&args.selection, &sdk)?;
    let items = config_rules::items::load(&path, now)?;
    let account = if args.live {
        Some(scan::account_id(&sdk).await?)
    } else {
        None
    };
    let runs = evaluate_items(&rules, &items, &params, account.as_deref(), now).await?;
    finish(
        &runs,
        &report::names_of(&items),
        &report::Coverage::default(),
        &args.output,
        report::Context {
            mode: "items",
            generated_at: now,
        },
    )
}

/// `evaluate --template`: the rules on a CloudFormation or SAM template, before deploy.
async fn evaluate_template(args: EvaluateArgs) -> Result<u8, CliError> {
    let now = args.at.unwrap_or_else(chrono::Utc::now);
    let path = args
        .template
        .ok_or_else(|| CliError::Input("--template is required".to_string()))?;
    let mut overrides = std::collections::BTreeMap::new();
    for pair in &args.template_parameters {
        let (k, v) = pair
            .split_once('=')
            .ok_or_else(|| CliError::Input(format!("--template-parameters takes K=V pairs; got {pair:?}")))?;
        overrides.insert(k.trim().to_string(), v.to_string());
    }
    let params = params_file(&args.selection)?;
    let ids: Vec<String> = if args.selection.rules.is_empty() {
        catalog::metas().iter().map(|m| m.id.to_string()).collect()
    } else {
        args.selection.rules.clone()
    };
    let metas = ids
        .iter()
        .map(|id| catalog::meta(id).ok_or_else(|| unknown_rule(id)))
        .collect::<Result<Vec<_>, _>>()?;
    let template = config_rules::cfn::load(&path, &overrides, now)?;
    let runs = config_rules::cfn::judge::evaluate(&template, &metas, &params, now).await?;
    let mut locations = std::collections::BTreeMap::new();
    for run in &runs {
        let Some(meta) = catalog::meta(run.rule_id) else {
            continue;
        };
        let keys = run
            .evaluations
            .iter()
            .map(|e| (e.resource_type.clone(), e.resource_id.clone()))
            .chain(
                run.unknown
                    .iter()
                    .map(|u| (u.resource_type.clone(), u.resource_id.clone())),
            );
        for (rt, id) in keys {
            if let Some((logical_id, line)) = template.location(meta, &rt, &id) {
                locations.insert((run.rule_id.to_string(), rt, id), report::Location { logical_id, line });
            }
        }
    }
    let coverage = report::Coverage {
        account: Some(template.account.clone()),
        region: Some(template.region.clone()),
        template: Some(report::TemplateSource {
            file: template.file.clone(),
            resources: template.resources.len(),
            locations,
            warnings: template.warnings.clone(),
        }),
        ..report::Coverage::default()
    };
    finish(
        &runs,
        &report::names_of(&template.items),
        &coverage,
        &args.output,
        report::Context {
            mode: "template",
            generated_at: now,
        },
    )
}

/// `scan`: one account, several (`--accounts`, `--organization`), or an aggregator.
async fn scan(args: ScanArgs, aws: &AwsOpts) -> Result<u8, CliError> {
    let several = !args.accounts.is_empty() || args.organization || !args.regions.is_empty();
    match (args.source, &args.aggregator) {
        (Source::Aggregator, None) => {
            return Err(CliError::Input("--source aggregator needs --aggregator NAME".into()))
        }
        (Source::Aggregator, Some(_)) if several => {
            return Err(CliError::Input(
                "--source aggregator reads every account of the aggregator: leave out --accounts and --organization"
                    .into(),
            ))
        }
        (Source::Aggregator, Some(_)) => return scan_aggregator(args, aws).await,
        (_, Some(_)) => return Err(CliError::Input("--aggregator needs --source aggregator".into())),
        _ => {}
    }
    if let Some(bad) = args
        .accounts
        .iter()
        .find(|a| a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(CliError::Input(format!(
            "--accounts: {} is not an AWS account id (12 digits)",
            config_rules_core::bounded(bad, 40)
        )));
    }
    if let Some(bad) = args.regions.iter().find(|r| {
        r.as_str() != "all"
            && !(r.len() < 30
                && r.split('-').count() >= 3
                && r.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'))
    }) {
        return Err(CliError::Input(format!(
            "--regions: {} is not a region name (us-east-1) or all",
            config_rules_core::bounded(bad, 40)
        )));
    }
    if several {
        scan_accounts(args, aws).await
    } else {
        scan_account(args, aws).await
    }
}

/// Progress on standard error while a scan works, when that is a terminal (and not --quiet):
/// the phase, and counts where known ("Lambda functions 120/2000").
fn progress_bar(quiet: bool) -> ProgressBar {
    if std::io::stderr().is_terminal() && !quiet {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} {pos}/{len} ({elapsed})") {
            bar.set_style(style);
        }
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    } else {
        ProgressBar::hidden()
    }
}

/// The scan of several accounts: each through the member role (bounded concurrency), one
/// report with a part per account and an `accounts` summary.
async fn scan_accounts(args: ScanArgs, aws: &AwsOpts) -> Result<u8, CliError> {
    use futures_util::StreamExt;
    let now = args.at.unwrap_or_else(chrono::Utc::now);
    let params = params_file(&args.selection)?;
    let sdk = aws.sdk(args.region.clone()).await;
    // Unknown rule ids fail before any account is touched.
    selected_rules(&args.selection, &sdk)?;
    let progress = progress_bar(args.output.quiet);
    progress.set_message("caller identity");
    let (own, identity) = scan::caller(&sdk).await?;
    let accounts: Vec<String> = if args.organization {
        progress.set_message("organization accounts");
        use config_rules_core::accounts::AccountLister;
        let lister = config_rules_core::accounts::OrganizationsLister(aws_sdk_organizations::Client::new(&sdk));
        lister
            .active_accounts()
            .await
            .map_err(CliError::Aws)?
            .into_iter()
            .collect()
    } else if args.accounts.is_empty() {
        vec![own.clone()]
    } else {
        args.accounts.clone()
    };
    let regions: Vec<Option<String>> = if args.regions.iter().any(|r| r == "all") {
        progress.set_message("enabled regions");
        scan::enabled_regions(&sdk).await?.into_iter().map(Some).collect()
    } else if args.regions.is_empty() {
        vec![None]
    } else {
        args.regions.iter().cloned().map(Some).collect()
    };
    let targets: Vec<(String, Option<String>)> = accounts
        .iter()
        .flat_map(|a| regions.iter().map(move |r| (a.clone(), r.clone())))
        .collect();
    let total = targets.len();
    let (sdk, own, params, args, progress, identity) = (&sdk, &own, &params, &args, &progress, &identity);
    let done = std::sync::atomic::AtomicUsize::new(0);
    let done = &done;
    let scans: Vec<Result<report::AccountScan, CliError>> = futures_util::stream::iter(targets)
        .map(|(account, region)| async move {
            let target = Target {
                own,
                identity,
                account: &account,
                region: region.as_deref(),
            };
            let scan = scan_member(sdk, target, args, params, now).await;
            let n = done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            let place = region.map(|r| format!("{account} {r}")).unwrap_or(account);
            progress.set_message(format!("scanned {n} of {total}, last {place}"));
            scan
        })
        .buffered(ACCOUNT_CONCURRENCY)
        .collect()
        .await;
    progress.finish_and_clear();
    let scans: Vec<report::AccountScan> = scans.into_iter().collect::<Result<_, _>>()?;
    let ctx = report::Context {
        mode: "accounts",
        generated_at: now,
    };
    finish_accounts(&scans, &args.output, ctx)
}

/// Where one part of a scan of several works.
#[derive(Clone, Copy)]
struct Target<'a> {
    own: &'a str,
    /// The caller's ARN.
    identity: &'a str,
    account: &'a str,
    /// `None`: the SDK's region.
    region: Option<&'a str>,
}

/// One account (and region) of a scan of several: its items through its role, judged with its
/// clients. A role that cannot be assumed makes every rule of that part an error, not the
/// whole scan.
async fn scan_member(
    sdk: &config_rules_core::SdkConfig,
    target: Target<'_>,
    args: &ScanArgs,
    params: &config_rules::run::ParamsByRule,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<report::AccountScan, CliError> {
    let account = target.account;
    let base = match target.region {
        Some(r) => sdk.to_builder().region(aws_config::Region::new(r.to_string())).build(),
        None => sdk.clone(),
    };
    let member = if account == target.own {
        Ok(base)
    } else {
        config_rules_core::accounts::member_sdk(&base, "aws", account, &args.role_name).await
    };
    let region_name = target.region.map(str::to_string);
    let coverage = |region: Option<String>| report::Coverage {
        account: Some(account.to_string()),
        region,
        source: args.source.to_possible_value().map(|v| v.get_name().to_string()),
        identity: Some(target.identity.to_string()),
        at: Some(now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        ..Default::default()
    };
    let member = match member {
        Ok(member) => member,
        Err(err) => {
            let runs = selected_rules(&args.selection, sdk)?
                .iter()
                .map(|r| RuleRun {
                    rule_id: r.meta().id,
                    evaluations: Vec::new(),
                    note: None,
                    error: Some(err.to_string()),
                    account: Some(account.to_string()),
                    region: region_name.clone(),
                    suppressed: Vec::new(),
                    unknown: Vec::new(),
                })
                .collect();
            return Ok(report::AccountScan {
                account: account.to_string(),
                region: region_name.clone(),
                runs,
                coverage: coverage(target.region.map(str::to_string)),
                names: report::Names::default(),
            });
        }
    };
    let rules = scan::with_prefetched_clients(&member, selected_rules(&args.selection, &member)?).await?;
    let needs = scan::Needs::of(&rules);
    let collected = scan::collect(&member, args.source, &needs, account, now, &ProgressBar::hidden()).await?;
    let mut runs = evaluate_items(&rules, &collected.items, params, Some(account), now).await?;
    for r in &mut runs {
        r.account = Some(account.to_string());
        r.region = region_name.clone();
    }
    let mut cov = coverage(member.region().map(|r| r.to_string()));
    cov.not_evaluated = collected.not_evaluated;
    cov.warnings = collected.warnings;
    Ok(report::AccountScan {
        account: account.to_string(),
        region: region_name,
        runs,
        coverage: cov,
        names: report::names_of(&collected.items),
    })
}

/// `--source aggregator`: every account's items through one aggregator, judged by the rules
/// that need only the item; the others are skipped, saying why.
async fn scan_aggregator(args: ScanArgs, aws: &AwsOpts) -> Result<u8, CliError> {
    let now = args.at.unwrap_or_else(chrono::Utc::now);
    let params = params_file(&args.selection)?;
    let sdk = aws.sdk(args.region.clone()).await;
    let rules = selected_rules(&args.selection, &sdk)?;
    let (judged, skipped): (Vec<_>, Vec<_>) = rules
        .into_iter()
        .partition(|r| r.meta().reports_on == config_rules_core::ReportsOn::EachResource && !r.meta().item_calls_aws);
    let types: BTreeSet<&str> = judged
        .iter()
        .flat_map(|r| r.meta().resource_types.iter().copied())
        .collect();
    let name = args.aggregator.clone().unwrap_or_default();
    let progress = progress_bar(args.output.quiet);
    let items = scan::aggregate_items(&sdk, &name, &types, now, &progress).await;
    progress.finish_and_clear();
    let items = items?;
    let mut by_account: std::collections::BTreeMap<String, Vec<config_rules_core::ConfigurationItem>> =
        std::collections::BTreeMap::new();
    for item in items {
        by_account
            .entry(item.aws_account_id.clone().unwrap_or_else(|| "(unknown)".to_string()))
            .or_default()
            .push(item);
    }
    let mut scans = Vec::new();
    for (account, items) in by_account {
        let mut runs = evaluate_items(&judged, &items, &params, None, now).await?;
        for r in &skipped {
            runs.push(RuleRun {
                rule_id: r.meta().id,
                evaluations: Vec::new(),
                note: Some(
                    "needs the account's own APIs, which an aggregator does not give: scan with --accounts".into(),
                ),
                error: None,
                account: None,
                region: None,
                suppressed: Vec::new(),
                unknown: Vec::new(),
            });
        }
        for r in &mut runs {
            r.account = Some(account.clone());
        }
        let regions: BTreeSet<String> = items.iter().filter_map(|i| i.aws_region.clone()).collect();
        scans.push(report::AccountScan {
            account: account.clone(),
            region: None,
            runs,
            names: report::names_of(&items),
            coverage: report::Coverage {
                account: Some(account),
                region: Some(regions.into_iter().collect::<Vec<_>>().join(",")),
                source: Some(format!("aggregator {name}")),
                ..Default::default()
            },
        });
    }
    let ctx = report::Context {
        mode: "aggregator",
        generated_at: now,
    };
    finish_accounts(&scans, &args.output, ctx)
}

fn finish_accounts(scans: &[report::AccountScan], output: &OutputArgs, ctx: report::Context) -> Result<u8, CliError> {
    let now = ctx.generated_at;
    let mut scans: Vec<report::AccountScan> = scans
        .iter()
        .map(|s| report::AccountScan {
            runs: at_least(&s.runs, output),
            ..s.clone()
        })
        .collect();
    let file = suppressions(output)?;
    let mut applied = config_rules::suppress::Applied::default();
    if let Some(s) = &file {
        for scan in &mut scans {
            let region = scan.coverage.region.clone();
            s.apply(
                &mut scan.runs,
                &scan.names,
                Some(&scan.account),
                region.as_deref(),
                now.date_naive(),
                &mut applied,
            );
        }
        applied.settle(s, now.date_naive());
        if !output.quiet {
            for line in applied.lines() {
                eprintln!("{line}");
            }
        }
    }
    let baseline_runs: Vec<RuleRun> = scans.iter().flat_map(|s| s.runs.iter().cloned()).collect();
    write_baseline(&baseline_runs, None, output)?;
    let scans = &scans[..];
    let all: Vec<RuleRun> = scans.iter().flat_map(|s| s.runs.iter().cloned()).collect();
    let mut names = report::Names::default();
    for scan in scans {
        names.extend(scan.names.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    let format = output.format.unwrap_or(Format::Table);
    let text = match format {
        Format::Table => report::table_accounts(scans, color_for(output), output.all),
        Format::Json => {
            let mut report = report::json_accounts(scans, &ctx);
            if file.is_some() {
                report["suppressions"] = applied.to_json();
            }
            format!("{:#}\n", report)
        }
        Format::Sarif => format!("{:#}\n", report::sarif(&all, &catalog::metas(), &names, None)),
        Format::Github => report::github(&all, None),
        Format::Junit => report::junit(&all),
        Format::Evaluations => evaluations_json(&all),
        Format::Markdown => config_rules::pages::markdown(&all, &names, &report::Coverage::default(), &stamp(&ctx)),
        Format::Html => config_rules::pages::html(&all, &names, &report::Coverage::default(), &stamp(&ctx)),
    };
    emit(output, &text)?;
    if (format != Format::Table || output.output.is_some()) && !output.quiet {
        for scan in scans {
            eprintln!("{}  {}", scan.account, report::Summary::of(&scan.runs).line());
        }
    }
    for r in &all {
        if let Some(err) = &r.error {
            eprintln!(
                "config-rules: {} in {}: {err}",
                r.rule_id,
                r.account.as_deref().unwrap_or("-")
            );
        }
    }
    if scans.is_empty() {
        eprintln!("config-rules: no account to scan");
        return Ok(2);
    }
    Ok(exit_for(&all, output.fail_on))
}

async fn scan_account(args: ScanArgs, aws: &AwsOpts) -> Result<u8, CliError> {
    let now = args.at.unwrap_or_else(chrono::Utc::now);
    let params = params_file(&args.selection)?;
    let sdk = aws.sdk(args.region).await;
    let rules = selected_rules(&args.selection, &sdk)?;
    let progress = progress_bar(args.output.quiet);
    progress.set_message("caller identity");
    let (account, identity) = scan::caller(&sdk).await?;
    progress.set_message("code signing configurations");
    let rules = scan::with_prefetched_clients(&sdk, rules).await;
    let rules = rules.inspect_err(|_| progress.finish_and_clear())?;
    let needs = scan::Needs::of(&rules);
    let collected = scan::collect(&sdk, args.source, &needs, &account, now, &progress).await;
    let collected = collected.inspect_err(|_| progress.finish_and_clear())?;
    progress.set_length(rules.len() as u64);
    progress.set_position(0);
    progress.set_message(format!(
        "judging {} items with {} rules",
        collected.items.len(),
        rules.len()
    ));
    let coverage = report::Coverage {
        account: Some(account.clone()),
        region: Some(
            sdk.region()
                .map(|r| r.to_string())
                .unwrap_or_else(|| "(none)".to_string()),
        ),
        source: Some(
            args.source
                .to_possible_value()
                .map(|v| v.get_name().to_string())
                .unwrap_or_default(),
        ),
        not_evaluated: collected.not_evaluated,
        warnings: collected.warnings,
        suppressions: None,
        identity: Some(identity),
        at: Some(now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        template: None,
    };
    let runs = evaluate_items(&rules, &collected.items, &params, Some(&account), now).await;
    progress.finish_and_clear();
    let runs = runs?;
    let ctx = report::Context {
        mode: "scan",
        generated_at: now,
    };
    finish(&runs, &report::names_of(&collected.items), &coverage, &args.output, ctx)
}

fn color_for(output: &OutputArgs) -> bool {
    match output.color {
        ColorWhen::Never => false,
        ColorWhen::Always => true,
        // anstream reads NO_COLOR, CLICOLOR_FORCE, CLICOLOR and TERM, and whether stdout is a
        // terminal; a report written to a file is never coloured.
        ColorWhen::Auto => {
            output.output.is_none() && anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
        }
    }
}

fn stamp(ctx: &report::Context) -> String {
    ctx.generated_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The evaluations as PutEvaluations receives them, fields in AWS's order.
fn evaluations_json(runs: &[RuleRun]) -> String {
    let all: Vec<&config_rules_core::Evaluation> = runs.iter().flat_map(|r| &r.evaluations).collect();
    let mut text = serde_json::to_string_pretty(&all).unwrap_or_default();
    text.push('\n');
    text
}

fn render(
    runs: &[RuleRun],
    names: &report::Names,
    coverage: &report::Coverage,
    format: Format,
    color: bool,
    all: bool,
    ctx: &report::Context,
) -> String {
    match format {
        Format::Table => report::table(runs, names, coverage, color, all),
        Format::Json => format!("{:#}\n", report::json(runs, coverage, ctx)),
        Format::Evaluations => evaluations_json(runs),
        Format::Markdown => config_rules::pages::markdown(runs, names, coverage, &stamp(ctx)),
        Format::Html => config_rules::pages::html(runs, names, coverage, &stamp(ctx)),
        Format::Sarif => format!(
            "{:#}\n",
            report::sarif(runs, &catalog::metas(), names, coverage.template.as_ref())
        ),
        Format::Github => report::github(runs, coverage.template.as_ref()),
        Format::Junit => report::junit(runs),
    }
}

fn emit(output: &OutputArgs, text: &str) -> Result<(), CliError> {
    match &output.output {
        Some(path) => std::fs::write(path, text).map_err(|e| CliError::Input(format!("{}: {e}", path.display()))),
        None => write_stdout(text),
    }
}

/// Writes to standard output. A reader that went away (`config-rules ... | head`) is not an
/// error: the program ends quietly, as a Unix filter does.
fn write_stdout(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::Input(format!("stdout: {e}"))),
    }
}

fn exit_for(runs: &[RuleRun], fail_on: Option<FailOn>) -> u8 {
    if runs.iter().any(|r| r.error.is_some()) {
        return 3;
    }
    let Some(fail_on) = fail_on else { return 0 };
    let failing = runs.iter().any(|r| {
        report::severity_of(r.rule_id) >= fail_on.threshold()
            && r.evaluations.iter().any(|e| e.compliance == Compliance::NonCompliant)
    });
    u8::from(failing)
}

/// The runs of rules of at least `--min-severity`.
fn at_least(runs: &[RuleRun], output: &OutputArgs) -> Vec<RuleRun> {
    let min = output.min_severity.map(MinSeverity::severity).unwrap_or(Severity::Low);
    runs.iter()
        .filter(|r| report::severity_of(r.rule_id) >= min)
        .cloned()
        .collect()
}

/// The suppressions file this run applies: `--suppressions`, or `.config-rules.yaml` found
/// upward from the working directory, unless `--no-suppressions`.
fn suppressions(output: &OutputArgs) -> Result<Option<config_rules::suppress::Suppressions>, CliError> {
    if output.no_suppressions {
        return Ok(None);
    }
    let path = match &output.suppressions {
        Some(p) => Some(p.clone()),
        None => std::env::current_dir()
            .ok()
            .and_then(|d| config_rules::suppress::find(&d)),
    };
    let ids: Vec<&str> = catalog::metas().iter().map(|m| m.id).collect();
    path.map(|p| config_rules::suppress::Suppressions::load(&p, &ids))
        .transpose()
}

/// `--write-baseline`: today's unsuppressed findings as a suppressions file.
fn write_baseline(runs: &[RuleRun], account: Option<&str>, output: &OutputArgs) -> Result<(), CliError> {
    let Some(path) = &output.write_baseline else {
        return Ok(());
    };
    let file = config_rules::suppress::baseline(runs, account);
    let text = format!(
        "# Written by config-rules --write-baseline: findings accepted as they were on {}.\n{}",
        chrono::Utc::now().format("%Y-%m-%d"),
        serde_yaml::to_string(&file).map_err(|e| CliError::Input(e.to_string()))?
    );
    std::fs::write(path, text).map_err(|e| CliError::Input(format!("{}: {e}", path.display())))?;
    eprintln!(
        "wrote {} suppressions (reason \"baseline\") to {}",
        file.suppressions.len(),
        path.display()
    );
    Ok(())
}

fn finish(
    runs: &[RuleRun],
    names: &report::Names,
    coverage: &report::Coverage,
    output: &OutputArgs,
    ctx: report::Context,
) -> Result<u8, CliError> {
    let now = ctx.generated_at;
    let mut runs = at_least(runs, output);
    let mut coverage = coverage.clone();
    if let Some(s) = suppressions(output)? {
        let mut applied = config_rules::suppress::Applied::default();
        s.apply(
            &mut runs,
            names,
            coverage.account.as_deref(),
            coverage.region.as_deref(),
            now.date_naive(),
            &mut applied,
        );
        coverage.suppressions = Some(applied);
    }
    write_baseline(&runs, coverage.account.as_deref(), output)?;
    let (runs, coverage) = (&runs, &coverage);
    let format = output.format.unwrap_or(Format::Table);
    emit(
        output,
        &render(runs, names, coverage, format, color_for(output), output.all, &ctx),
    )?;
    if (format != Format::Table || output.output.is_some()) && !output.quiet {
        for line in coverage.lines() {
            eprintln!("{line}");
        }
        eprintln!("{}", report::Summary::of(runs).line());
    }
    for r in runs {
        if let Some(err) = &r.error {
            eprintln!("config-rules: {}: {err}", r.rule_id);
        }
    }
    // A run in which no selected rule could run judged nothing: that is not a pass.
    if !runs.is_empty() && runs.iter().all(|r| r.note.is_some()) {
        for r in runs {
            eprintln!(
                "config-rules: {} skipped: {}",
                r.rule_id,
                r.note.as_deref().unwrap_or_default()
            );
        }
        eprintln!("config-rules: every selected rule was skipped; nothing was evaluated");
        return Ok(2);
    }
    Ok(exit_for(runs, output.fail_on))
}
