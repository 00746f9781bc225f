//! The embedded default store: one `redb` file, no server. Every batch is one write
//! transaction, committed durably (fsync) before `apply` returns, so what a flush
//! acknowledged survives a crash or a `kill -9`.

use std::path::Path;

use redb::{Database, ReadableTable, TableDefinition};

use super::{Aggregate, Batch, Store, StoreError, key};
use crate::time::Bucket;

/// Key: [`key`] (`metricc:{series}:{bucket}`); value: [`Aggregate::encode`].
const AGGREGATES: TableDefinition<&str, &[u8]> = TableDefinition::new("aggregates");

/// The embedded store: a `redb` database file. One process opens it at a time.
pub struct EmbeddedStore {
    db: Database,
}

impl std::fmt::Debug for EmbeddedStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedStore").finish_non_exhaustive()
    }
}

fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

impl EmbeddedStore {
    /// Opens the database file at `path`, creating it (and its table) if needed.
    pub fn open(path: impl AsRef<Path>) -> Result<EmbeddedStore, StoreError> {
        let path = path.as_ref();
        let db =
            Database::create(path).map_err(|e| unavailable(format!("{}: {e}", path.display())))?;
        let txn = db.begin_write().map_err(unavailable)?;
        txn.open_table(AGGREGATES).map_err(unavailable)?;
        txn.commit().map_err(unavailable)?;
        Ok(EmbeddedStore { db })
    }

    /// Every aggregate the store holds, as `(series, bucket, aggregate)`, in key order: to
    /// move counts into another store (`RedisStore::import`). A key that cannot be read is
    /// an error.
    pub fn entries(&self) -> Result<Vec<(String, Bucket, Aggregate)>, StoreError> {
        let txn = self.db.begin_read().map_err(unavailable)?;
        let table = txn.open_table(AGGREGATES).map_err(unavailable)?;
        let mut out = Vec::new();
        for entry in table.iter().map_err(unavailable)? {
            let (name, value) = entry.map_err(unavailable)?;
            let name = name.value();
            let parsed = name
                .strip_prefix("metricc:")
                .and_then(|rest| rest.rsplit_once(':'))
                .and_then(|(series, bucket)| Some((series, Bucket::parse(bucket)?)));
            let Some((series, bucket)) = parsed else {
                return Err(StoreError::Corrupt(format!(
                    "a key of unknown form: {name}"
                )));
            };
            out.push((series.to_owned(), bucket, Aggregate::decode(value.value())?));
        }
        Ok(out)
    }
}

impl Store for EmbeddedStore {
    fn apply(&self, batch: &Batch) -> Result<(), StoreError> {
        if batch.is_empty() {
            return Ok(());
        }
        let txn = self.db.begin_write().map_err(unavailable)?;
        {
            let mut table = txn.open_table(AGGREGATES).map_err(unavailable)?;
            for (series, bucket, change) in &batch.changes {
                let name = key(series, *bucket);
                let existing = table
                    .get(name.as_str())
                    .map_err(unavailable)?
                    .map(|v| Aggregate::decode(v.value()));
                let merged = match existing {
                    Some(Ok(mut stored)) => {
                        if !stored.merge(change) {
                            log::warn!(
                                "metricc: {name} held another kind of count; it now holds the new one"
                            );
                        }
                        stored
                    }
                    Some(Err(e)) => {
                        log::warn!("metricc: {name}: {e}; it now holds the new count only");
                        change.clone()
                    }
                    None => change.clone(),
                };
                table
                    .insert(name.as_str(), merged.encode().as_slice())
                    .map_err(unavailable)?;
            }
        }
        txn.commit().map_err(unavailable)
    }

    fn read(&self, series: &str, bucket: Bucket) -> Result<Option<Aggregate>, StoreError> {
        let txn = self.db.begin_read().map_err(unavailable)?;
        let table = txn.open_table(AGGREGATES).map_err(unavailable)?;
        let value = table
            .get(key(series, bucket).as_str())
            .map_err(unavailable)?;
        value.map(|v| Aggregate::decode(v.value())).transpose()
    }

    fn read_many(&self, keys: &[(&str, Bucket)]) -> Result<Vec<Option<Aggregate>>, StoreError> {
        let txn = self.db.begin_read().map_err(unavailable)?;
        let table = txn.open_table(AGGREGATES).map_err(unavailable)?;
        keys.iter()
            .map(|(series, bucket)| {
                let value = table
                    .get(key(series, *bucket).as_str())
                    .map_err(unavailable)?;
                value.map(|v| Aggregate::decode(v.value())).transpose()
            })
            .collect()
    }
}
