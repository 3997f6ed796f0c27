//! Users: signup, login, password change, deletion.

use tupli::TupliApiClient;

use crate::{admin, api_status, unique, url};

#[tokio::test]
#[ignore = "needs a live server: TUPLI_TEST_URL (run by `cargo xtask test`)"]
async fn users_signup_login_change_password_delete() {
    let admin = admin().await;
    let name = unique("user & co+#ü");
    let anonymous = TupliApiClient::with_url(url()).unwrap();
    let created = anonymous.signup(&name, "first").await.unwrap();
    assert_eq!(created.username, name);

    let again = anonymous.signup(&name, "first").await.unwrap_err();
    assert_eq!(api_status(&again), 409, "{again}");
    assert!(again.is_conflict());

    let me = TupliApiClient::with_url(url()).unwrap();
    me.login(&name, "first").await.unwrap();
    assert_eq!(
        me.tokens().unwrap().username().as_deref(),
        Some(name.as_str())
    );
    me.change_password(&name, "second").await.unwrap();
    let old = TupliApiClient::with_url(url()).unwrap();
    let err = old.login(&name, "first").await.unwrap_err();
    assert_eq!(api_status(&err), 401);
    old.login(&name, "second").await.unwrap();

    let users = admin.list_users().await.unwrap();
    assert!(users.iter().any(|u| u.username == name));

    admin.delete_user(&name).await.unwrap();
    let users = admin.list_users().await.unwrap();
    assert!(!users.iter().any(|u| u.username == name));
    let gone = TupliApiClient::with_url(url()).unwrap();
    assert_eq!(
        api_status(&gone.login(&name, "second").await.unwrap_err()),
        401
    );
}
