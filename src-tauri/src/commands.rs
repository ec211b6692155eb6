//! The app's commands, generated from the command list. Each locks the API (one store
//! connection; SQLite serialises writers anyway) and forwards its argument.

use firebreak_api::types::*;
use firebreak_api::{Api, ApiError};
use std::sync::Mutex;

/// The API, or why the store could not be opened.
pub type ApiState = Mutex<Result<Api, ApiError>>;

fn with_api<T>(
    state: &tauri::State<'_, ApiState>,
    call: impl FnOnce(&mut Api) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    // A panic while holding the lock poisons it; the API itself is still consistent
    // (every write is one transaction), so carry on with it.
    let mut api = state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    match &mut *api {
        Ok(api) => call(api),
        Err(unopened) => Err(unopened.clone()),
    }
}

macro_rules! tauri_commands {
    ($($name:ident($($arg:ty)?) -> $ret:ty;)*) => {
        $(
            #[tauri::command]
            pub fn $name(
                state: tauri::State<'_, ApiState>,
                $(args: $arg,)?
            ) -> Result<$ret, ApiError> {
                with_api(&state, |api| api.$name($(tauri_commands!(@arg args $arg))?))
            }
        )*

        /// The invoke handler with every command.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name),*]
        }
    };
    (@arg $value:ident $ty:ty) => { $value };
}

firebreak_api::with_commands!(tauri_commands);
