filtered_customers as (
    -- customers known on the as-of date who pass the global filters;
    -- the membership tier is the one held on the as-of date
    select
        customers.customer_id,
        customers.region,
        customers.acquisition_channel,
        coalesce(spells.membership_tier, cast('normal' as tier_t)) as membership_tier,
        cast(customers.signed_up_at as date) as signed_up_on,
        cast(customers.first_ordered_at as date) as first_ordered_on,
        customers.account_manager_id
    from customer_features as customers
    left join membership_tier_spells as spells
        on spells.customer_id = customers.customer_id
        and spells.valid_from < $as_of_end
        and (spells.valid_to is null or spells.valid_to >= $as_of_end)
    where customers.signed_up_at < $as_of_end
        and (len($regions) = 0 or list_contains($regions, customers.region))
        and (len($channels) = 0 or list_contains($channels, customers.acquisition_channel))
        and (len($tiers) = 0 or list_contains($tiers, coalesce(spells.membership_tier, 'normal')))
        -- @segment_filter
)
