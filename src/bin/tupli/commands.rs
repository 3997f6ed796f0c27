//! Runs a parsed command: opens the session from the credentials file, calls
//! the client, prints the answer, and writes refreshed tokens back.

use std::path::Path;

use futures::{Stream, TryStreamExt};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tupli::models::{
    ArtifactMetadata, BenchmarkQuery, Episode, Group, GroupMembership, GroupMembershipQuery,
    UserRole,
};
use tupli::{ExposeSecret, Tokens, TupliApiClient, DEFAULT_URL};

use crate::args::{Cli, Command, PasswordArgs};
use crate::config::{Credentials, Store};
use crate::error::CliError;
use crate::output::{self, Row};
use crate::password::{self, Confirm};
use crate::progress::Progress;
use crate::transfer::{CountingWriter, FileReader};

/// Runs `cli` to completion.
pub(crate) async fn run(cli: Cli) -> Result<(), CliError> {
    let store = Store::locate().map_err(local)?;
    let stored = store.load().map_err(local)?;
    let url = cli.url.filter(|u| !u.trim().is_empty());
    let json = cli.json;
    match cli.command {
        Command::Logout => logout(&store, stored, json),
        Command::SetUrl { new_url } => set_url(&store, stored, &new_url, json),
        Command::Whoami => whoami(&stored, url, json),
        Command::Login { username, password } => {
            let session = Session::open(store, stored, url)?;
            session.login(&username, &password, json).await
        }
        command => {
            let session = Session::open(store, stored, url)?;
            let result = session.dispatch(command, json).await;
            // Also after a failure: a refresh may have happened before it, or
            // the session may have expired (and the tokens been cleared).
            let saved = session.write_back();
            result.and(saved)
        }
    }
}

fn local(e: std::io::Error) -> CliError {
    CliError::Local(e.to_string())
}

/// The client for this run, and what it was opened from.
struct Session {
    client: TupliApiClient,
    store: Store,
    stored: Credentials,
    /// Whether the stored tokens belong to the server this run talks to.
    own_server: bool,
}

impl Session {
    /// The URL is `--url`/`TUPLI_URL`, else the stored one, else the default.
    /// Stored tokens are only installed for the server that issued them.
    fn open(store: Store, stored: Credentials, url: Option<String>) -> Result<Session, CliError> {
        let url = url
            .or_else(|| stored.url.clone())
            .unwrap_or_else(|| DEFAULT_URL.to_string());
        let client = TupliApiClient::builder().url(url).build()?;
        let own_server = stored.url.as_deref() == Some(client.url().as_str());
        match &stored.tokens {
            Some(tokens) if own_server => client.set_tokens(Some(tokens.clone())),
            Some(_) => eprintln!(
                "tupli: note: not sending the stored tokens to {}: they were issued by {}",
                client.url(),
                stored.url.as_deref().unwrap_or("another server")
            ),
            None => {}
        }
        Ok(Session {
            client,
            store,
            stored,
            own_server,
        })
    }

    /// Saves the client's tokens when they differ from the stored ones.
    fn write_back(&self) -> Result<(), CliError> {
        let now = self.client.tokens();
        if !self.own_server || same_tokens(&now, &self.stored.tokens) {
            return Ok(());
        }
        self.store
            .save(&Credentials {
                url: self.stored.url.clone(),
                tokens: now,
            })
            .map_err(local)
    }

    async fn login(&self, username: &str, args: &PasswordArgs, json: bool) -> Result<(), CliError> {
        let url = self.client.url();
        let prompt = format!("Password for {username} at {url}: ");
        let password = password::read(args, &prompt, Confirm::Once)?;
        self.client.login(username, &password).await?;
        self.store
            .save(&Credentials {
                url: Some(url.clone()),
                tokens: self.client.tokens(),
            })
            .map_err(local)?;
        output::say(json, &format!("Logged in to {url} as {username}."))
    }

    async fn dispatch(&self, command: Command, json: bool) -> Result<(), CliError> {
        let c = &self.client;
        match command {
            Command::Login { .. } | Command::Logout | Command::Whoami | Command::SetUrl { .. } => {
                unreachable!("handled before a session is opened")
            }

            Command::Signup { username, password } => {
                let prompt = format!("Password for the new user {username}: ");
                let password = password::read(&password, &prompt, Confirm::Twice)?;
                output::one(&c.signup(&username, &password).await?, json)
            }
            Command::ListUsers => output::list(&c.list_users().await?, json, "users"),
            Command::ChangePassword { username, password } => {
                let prompt = format!("New password for {username}: ");
                let password = password::read(&password, &prompt, Confirm::Twice)?;
                c.change_password(&username, &password).await?;
                output::say(json, &format!("Changed the password of {username}."))
            }
            Command::DeleteUser { username } => {
                c.delete_user(&username).await?;
                output::say(json, &format!("Deleted user {username}."))
            }

            Command::CreateGroup { name, description } => {
                output::one(&c.create_group(&Group { name, description }).await?, json)
            }
            Command::ListGroups => output::list(&c.list_groups().await?, json, "groups"),
            Command::ReadGroup { name } => output::one(&c.read_group(&name).await?, json),
            Command::DeleteGroup { name } => {
                c.delete_group(&name).await?;
                output::say(json, &format!("Deleted group {name}."))
            }
            Command::AddGroupMembers {
                group,
                users,
                roles,
            } => {
                let query = membership(group, users, Some(roles));
                output::one(&c.add_group_members(&query).await?, json)
            }
            Command::RemoveGroupMembers { group, users } => {
                let query = membership(group, users, None);
                output::one(&c.remove_group_members(&query).await?, json)
            }

            Command::ListRoles => output::list(&c.list_roles().await?, json, "roles"),
            Command::CreateRole {
                name,
                rights,
                description,
            } => {
                let role = UserRole {
                    role: name,
                    rights,
                    description,
                };
                output::one(&c.create_role(&role).await?, json)
            }
            Command::DeleteRole { name } => {
                c.delete_role(&name).await?;
                output::say(json, &format!("Deleted role {name}."))
            }

            Command::StoreBenchmark { file } => {
                let benchmark: BenchmarkQuery = read_json(&file, "a benchmark")?;
                output::one(&c.store_benchmark(&benchmark).await?, json)
            }
            Command::LoadBenchmark { id } => output::one(&c.load_benchmark(&id).await?, json),
            Command::ListBenchmarks { filter } => output::list(
                &c.list_benchmarks(&filter.combined()).await?,
                json,
                "benchmarks",
            ),
            Command::DeleteBenchmark { id } => {
                c.delete_benchmark(&id).await?;
                output::say(json, &format!("Deleted benchmark {id}."))
            }
            Command::PublishBenchmark { id, group } => {
                c.publish_benchmark(&id, &group.group).await?;
                output::say(
                    json,
                    &format!("Published benchmark {id} in {}.", group.group),
                )
            }
            Command::UnpublishBenchmark { id, group } => {
                c.unpublish_benchmark(&id, &group.group).await?;
                output::say(
                    json,
                    &format!("Withdrew benchmark {id} from {}.", group.group),
                )
            }

            Command::StoreArtifact {
                file,
                name,
                description,
                benchmark_id,
                extra,
            } => {
                let length = std::fs::metadata(&file)
                    .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", file.display())))?
                    .len();
                let name = match name {
                    Some(name) => name,
                    None => file
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .ok_or_else(|| {
                            CliError::Usage(format!(
                                "{} has no file name: give --name",
                                file.display()
                            ))
                        })?,
                };
                let metadata = ArtifactMetadata {
                    name,
                    description,
                    benchmark_id,
                    extra: extra.unwrap_or_default(),
                };
                let progress =
                    Progress::bytes(format!("uploading {}", file.display()), Some(length));
                let item = c
                    .store_artifact_from_reader(
                        || FileReader::new(&file, &progress),
                        length,
                        &metadata,
                    )
                    .await?;
                progress.clear();
                output::one(&item, json)
            }
            Command::LoadArtifact { id, output: path } => {
                let progress = Progress::bytes(format!("downloading {id}"), None);
                match path {
                    Some(path) => {
                        let written = download_to_file(c, &id, &path, &progress).await?;
                        progress.clear();
                        if !json {
                            eprintln!(
                                "Wrote {} to {} (hash verified).",
                                output::bytes(written),
                                path.display()
                            );
                        }
                        Ok(())
                    }
                    None => {
                        // Held until verified: nothing untrusted reaches standard output.
                        let mut writer = CountingWriter::new(Vec::new(), &progress);
                        c.download_artifact_to(&id, &mut writer).await?;
                        progress.clear();
                        output::emit_bytes(&writer.into_inner())
                    }
                }
            }
            Command::ListArtifacts { filter } => output::list(
                &c.list_artifacts(&filter.combined()).await?,
                json,
                "artifacts",
            ),
            Command::DeleteArtifact { id } => {
                c.delete_artifact(&id).await?;
                output::say(json, &format!("Deleted artifact {id}."))
            }
            Command::PublishArtifact { id, group } => {
                c.publish_artifact(&id, &group.group).await?;
                output::say(
                    json,
                    &format!("Published artifact {id} in {}.", group.group),
                )
            }
            Command::UnpublishArtifact { id, group } => {
                c.unpublish_artifact(&id, &group.group).await?;
                output::say(
                    json,
                    &format!("Withdrew artifact {id} from {}.", group.group),
                )
            }

            Command::RecordEpisode { file } => {
                let episode: Episode = read_json(&file, "an episode")?;
                let progress = Progress::spinner(format!(
                    "recording an episode of {} tuples",
                    episode.tuples.len()
                ));
                let header = c.record_episode(&episode).await?;
                progress.clear();
                output::one(&header, json)
            }
            Command::ListEpisodes {
                filter,
                include_tuples,
            } => {
                let progress = Progress::counter("receiving episodes");
                if include_tuples {
                    let episodes = c.stream_episodes(&filter.combined()).await?;
                    stream(episodes, json, &progress, "episodes").await
                } else {
                    let episodes = c.stream_episode_headers(&filter.combined()).await?;
                    stream(episodes, json, &progress, "episodes").await
                }
            }
            Command::DeleteEpisode { id } => {
                c.delete_episode(&id).await?;
                output::say(json, &format!("Deleted episode {id}."))
            }
            Command::PublishEpisode { id, group } => {
                c.publish_episode(&id, &group.group).await?;
                output::say(json, &format!("Published episode {id} in {}.", group.group))
            }
            Command::UnpublishEpisode { id, group } => {
                c.unpublish_episode(&id, &group.group).await?;
                output::say(
                    json,
                    &format!("Withdrew episode {id} from {}.", group.group),
                )
            }
        }
    }
}

/// Streams an artifact into a temporary file beside `path`, renamed into
/// place once the hash is verified; nothing is left behind on failure.
async fn download_to_file(
    client: &TupliApiClient,
    id: &str,
    path: &Path,
    progress: &Progress,
) -> Result<u64, CliError> {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tupli-partial-{}", std::process::id()));
    let partial = path.with_file_name(name);
    let cannot_write =
        |e: std::io::Error| CliError::Local(format!("cannot write {}: {e}", path.display()));
    let result = async {
        let file = tokio::fs::File::create(&partial)
            .await
            .map_err(cannot_write)?;
        let mut writer = CountingWriter::new(file, progress);
        client.download_artifact_to(id, &mut writer).await?;
        let file = writer.into_inner();
        file.sync_all().await.map_err(cannot_write)?;
        let written = file.metadata().await.map_err(cannot_write)?.len();
        drop(file);
        tokio::fs::rename(&partial, path)
            .await
            .map_err(cannot_write)?;
        Ok(written)
    }
    .await;
    if result.is_err() {
        let _ = tokio::fs::remove_file(&partial).await;
    }
    result
}

/// A listing that arrives element by element: JSON is printed as it comes,
/// a table once everything is there.
async fn stream<T, S>(items: S, json: bool, progress: &Progress, noun: &str) -> Result<(), CliError>
where
    T: Row + Serialize,
    S: Stream<Item = tupli::Result<T>>,
{
    let mut items = std::pin::pin!(items);
    if json {
        let mut array = output::JsonArray::default();
        while let Some(item) = items.try_next().await? {
            progress.inc(1);
            array.push(&item)?;
        }
        progress.clear();
        return array.finish();
    }
    let mut all = Vec::new();
    while let Some(item) = items.try_next().await? {
        progress.inc(1);
        all.push(item);
    }
    progress.clear();
    output::list(&all, json, noun)
}

fn membership(
    group: String,
    users: Vec<String>,
    roles: Option<Vec<String>>,
) -> GroupMembershipQuery {
    GroupMembershipQuery {
        group_name: group,
        members: users
            .into_iter()
            .map(|user| GroupMembership {
                user,
                roles: roles.clone(),
            })
            .collect(),
    }
}

fn same_tokens(a: &Option<Tokens>, b: &Option<Tokens>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => {
            a.access_token().expose_secret() == b.access_token().expose_secret()
                && a.refresh_token().expose_secret() == b.refresh_token().expose_secret()
        }
        _ => false,
    }
}

/// Reads a JSON document from `path` (`-`: standard input).
fn read_json<T: DeserializeOwned>(path: &Path, what: &str) -> Result<T, CliError> {
    let name = path.display();
    let bytes = if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
            .map_err(|e| CliError::Usage(format!("cannot read standard input: {e}")))?;
        bytes
    } else {
        std::fs::read(path).map_err(|e| CliError::Usage(format!("cannot read {name}: {e}")))?
    };
    let mut de = serde_json::Deserializer::from_slice(&bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let at = e.path().to_string();
        CliError::Usage(format!(
            "{name} is not {what}: at `{at}`: {}",
            e.into_inner()
        ))
    })
}

fn logout(store: &Store, stored: Credentials, json: bool) -> Result<(), CliError> {
    if stored.tokens.is_none() {
        return output::say(json, "Not logged in.");
    }
    store
        .save(&Credentials {
            url: stored.url,
            tokens: None,
        })
        .map_err(local)?;
    output::say(json, "Logged out.")
}

fn set_url(store: &Store, stored: Credentials, url: &str, json: bool) -> Result<(), CliError> {
    let url = TupliApiClient::with_url(url)?.url();
    let had_tokens = stored.tokens.is_some();
    // Like the client's set_url: tokens never go to a server that did not issue them.
    let tokens = if stored.url.as_deref() == Some(url.as_str()) {
        stored.tokens
    } else {
        None
    };
    let forgot = tokens.is_none() && had_tokens;
    store
        .save(&Credentials {
            url: Some(url.clone()),
            tokens,
        })
        .map_err(local)?;
    if forgot {
        output::say(
            json,
            &format!("Server set to {url}; log in there (the old login was forgotten)."),
        )
    } else {
        output::say(json, &format!("Server set to {url}."))
    }
}

/// `whoami --json`.
#[derive(Serialize)]
struct WhoAmI {
    username: Option<String>,
    url: String,
    access_expires_at: Option<String>,
    refresh_expires_at: Option<String>,
}

fn whoami(stored: &Credentials, url: Option<String>, json: bool) -> Result<(), CliError> {
    let not_logged_in = || CliError::NotLoggedIn("not logged in: run `tupli login` first".into());
    let tokens = stored.tokens.as_ref().ok_or_else(not_logged_in)?;
    let server = stored
        .url
        .clone()
        .unwrap_or_else(|| DEFAULT_URL.to_string());
    if let Some(url) = url {
        let wanted = TupliApiClient::with_url(url)?.url();
        if wanted != server {
            return Err(CliError::NotLoggedIn(format!(
                "not logged in to {wanted} (the stored login is for {server})"
            )));
        }
    }
    let access = tokens.access_expires_at();
    let refresh = tokens.refresh_expires_at();
    if json {
        return output::json(&WhoAmI {
            username: tokens.username(),
            url: server,
            access_expires_at: access.map(output::rfc3339),
            refresh_expires_at: refresh.map(output::rfc3339),
        });
    }
    let when = |at: Option<std::time::SystemTime>| match at {
        Some(at) => format!("{} ({})", output::rfc3339(at), output::relative(at)),
        None => "unknown".to_string(),
    };
    output::emit(&format!(
        "user                   {}\nserver                 {server}\naccess token expires   {}\nrefresh token expires  {}\n",
        tokens.username().as_deref().unwrap_or("unknown"),
        when(access),
        when(refresh),
    ))
}
