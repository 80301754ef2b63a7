-- grain: one row per order placed on or before the as-of date
with orders as (
    select * from stg_orders
    where ordered_on <= $as_of
),

customers as (
    select customer_id, region, acquisition_channel
    from stg_customers
),

final as (
    select
        orders.order_id,
        orders.customer_id,
        orders.ordered_at,
        orders.ordered_on,
        cast(date_trunc('month', orders.ordered_on) as date) as order_month,
        orders.order_status,
        orders.is_completed,
        orders.amount,
        orders.discount,
        orders.amount + orders.discount as gross_amount,
        orders.sales_channel,
        customers.region,
        customers.acquisition_channel
    from orders
    left join customers on customers.customer_id = orders.customer_id
)

-- stored in date order: page queries select a date range, and DuckDB skips the row groups
-- outside it (min/max zone maps) instead of scanning every order
select * from final
order by ordered_on, order_id
