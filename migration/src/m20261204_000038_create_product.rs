//! Products (issue 20, item 4): the catalogue (`product`, with its list
//! prices per currency) and the lines of orders that reference it
//! (`order_line`). Orders keep their free-text `product` as the fallback of
//! orders without lines (imports of other systems' history).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::columns::{
    create_all, drop_all, live_sort_indexes, reference, run_batch, tenant_index, tenant_table,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut product = tenant_table("product", true);
        product
            .col(string_len("sku", 64))
            .col(string_len("name", 200))
            .col(string_len_null("category", 100))
            .col(json_binary("list_prices"))
            .col(boolean("active").default(true));
        let mut line = tenant_table("order_line", false);
        reference(&mut line, "order_line", "order_id", "customer_order", false);
        reference(&mut line, "order_line", "product_id", "product", false);
        line.col(integer("position"))
            .col(integer("quantity"))
            .col(big_integer("unit_price_e4"))
            .col(big_integer("discount_e4").default(0))
            .col(big_integer("total_e4"));
        // An order's lines, and a product's buyers (the co-purchase counts).
        let indexes = vec![
            tenant_index("order_line", &["order_id", "position"], false),
            tenant_index("order_line", &["product_id"], false),
        ];
        create_all(manager, vec![product, line], indexes).await?;
        let mut statements = live_sort_indexes("product", &["name", "sku", "created_at"]);
        // A SKU names one live product; a deleted product's SKU is free again.
        statements.push(
            r#"CREATE UNIQUE INDEX "ux_product_live_sku" ON "product" ("workspace_id", "sku") WHERE "deleted_at" IS NULL"#
                .to_owned(),
        );
        run_batch(manager, &statements).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["order_line", "product"]).await
    }
}
