filtered_customers as (
    -- filtered_customers without the membership tier: what segments.filtered_sql puts in its
    -- place when no tier is selected and the query never reads a tier (the tier held on the
    -- as-of date needs a join of every customer with the tier spells)
    select
        customers.customer_id,
        customers.region,
        customers.acquisition_channel,
        cast(customers.signed_up_at as date) as signed_up_on,
        cast(customers.first_ordered_at as date) as first_ordered_on,
        customers.account_manager_id
    from customer_features as customers
    where customers.signed_up_at < $as_of_end
        and (len($regions) = 0 or list_contains($regions, customers.region))
        and (len($channels) = 0 or list_contains($channels, customers.acquisition_channel))
        -- @segment_filter
)
